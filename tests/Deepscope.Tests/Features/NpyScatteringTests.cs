using Deepscope.Features;
using Deepscope.IO;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Features;

/// <summary>The library's streaming .npy scattering (what <c>deepscope scatter</c> calls) across batch boundaries.</summary>
public class NpyScatteringTests
{
    [Fact]
    public void Streaming_in_batches_equals_one_forward_pass_and_names_bad_rows_across_batches()
    {
        using var dir = new TempDir();
        // 600 images: a first batch of 512 and a second of 88.
        using var images = rand(new long[] { 600, 8, 8 }, generator: new TorchSharp.torch.Generator(5));
        Npy.Write(dir.File("x.npy"), images);
        var settings = new ScatteringSettings(1, 4, 2);
        var result = NpyScattering.Scatter(dir.File("x.npy"), dir.File("s.npy"), settings, NoProgress.Instance);
        Assert.Equal(600, result.Images);
        Assert.Equal([600L, 1 + 4 + 0, 4, 4], result.OutputShape);
        using var scattering = new Scattering2D(1, (8, 8), 4, 2);
        using var expected = scattering.forward(images);
        using var written = Npy.Read(dir.File("s.npy"));
        Assert.True(written.eq(expected).all().item<bool>(), "streamed coefficients differ from one forward pass");

        images[550, 3, 4] = tensor(float.PositiveInfinity);
        Npy.Write(dir.File("bad.npy"), images);
        var error = Assert.Throws<InvalidDataFileException>(() => NpyScattering.Scatter(dir.File("bad.npy"), dir.File("t.npy"), settings, NoProgress.Instance));
        Assert.Contains("bad.npy: contains NaN or infinite values (row 550), the first Infinity at column 28", error.Message);
    }
}
