using Deepscope.Features;
using Deepscope.IO;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Features;

public class Scattering2DTests
{
    static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        var e = expected.to_type(ScalarType.Float64);
        return ((actual.to_type(ScalarType.Float64) - e).norm() / e.norm()).item<double>();
    }

    [Fact]
    public void MatchesKymatioReferenceCase()
    {
        var data = Npy.ReadNpz(SharedData.Reference("kymatio/test_data_2d.npz"));
        Assert.False(data["pre_pad"].item<bool>());
        int j = (int)data["J"].item<long>();
        var x = data["x"];
        using var scattering = new Scattering2D(j, ((int)x.shape[^2], (int)x.shape[^1]));
        var s = scattering.forward(x);
        Assert.Equal(data["Sx"].shape, s.shape);
        Assert.Equal(ScalarType.Float32, s.dtype);
        double error = RelativeError(s, data["Sx"]);
        Assert.True(error <= 1e-5, $"relative L2 error {error:E3}");
    }
}
