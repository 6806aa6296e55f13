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

    /// <summary>Relative L2 error at most 1e-5 overall and within each order (order 2 is small beside order 0).</summary>
    static void AssertMatchesPerOrder(Scattering2D scattering, Tensor actual, Tensor expected, string name)
    {
        double total = RelativeError(actual, expected);
        Assert.True(total <= 1e-5, $"{name}: relative L2 error {total:E3}");
        int first = 1 + scattering.J * scattering.L;
        foreach (var (order, from, to) in new[] { (0, 0, 1), (1, 1, first), (2, first, scattering.CoefficientCount) }.Where(o => o.Item3 > o.Item2))
        {
            var range = TensorIndex.Slice(from, to);
            double error = RelativeError(actual[TensorIndex.Ellipsis, range, TensorIndex.Colon, TensorIndex.Colon],
                expected[TensorIndex.Ellipsis, range, TensorIndex.Colon, TensorIndex.Colon]);
            Assert.True(error <= 1e-5, $"{name}: order {order} relative L2 error {error:E3}");
        }
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
        AssertMatchesPerOrder(scattering, s, data["Sx"], "test_data_2d.npz");
    }

    public static TheoryData<string> KymatioCases() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Scattering"), "case_*.npz").Select(Path.GetFileName).Order()!];

    /// <summary>Fixtures made by Fixtures/Scattering/make_fixtures.py with Kymatio 0.4: other shapes, J, L and orders.</summary>
    [Theory]
    [MemberData(nameof(KymatioCases))]
    public void MatchesKymatioOnOtherShapesAndSettings(string file)
    {
        var data = Npy.ReadNpz(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Scattering", file));
        var x = data["x"];
        using var scattering = new Scattering2D((int)data["J"].item<long>(), ((int)x.shape[^2], (int)x.shape[^1]),
            (int)data["L"].item<long>(), (int)data["max_order"].item<long>());
        var s = scattering.forward(x);
        Assert.Equal(data["Sx"].shape, s.shape);
        AssertMatchesPerOrder(scattering, s, data["Sx"], file);
    }
}
