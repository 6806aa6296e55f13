using System.Numerics;
using Deepscope.Data;
using Deepscope.Features.Patches;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Features;

public sealed class PatchTests
{
    static float Pixel(int c, int y, int x) => MathF.Sin(0.37f * x + 0.11f * y * y + c) * (1 + (x * y % 7)) / 8;

    static PatchSet Collect(int channels, int h, int w, PatchOptions options, ulong seed)
    {
        var collector = new PatchCollector(channels, h, w, options, seed);
        var row = new float[channels * w];
        for (int y = 0; y < h; y++)
        {
            for (int c = 0; c < channels; c++)
                for (int x = 0; x < w; x++) row[c * w + x] = Pixel(c, y, x);
            collector.Row(y, row);
        }
        return collector.Result();
    }

    [Fact]
    public void PatchesAreTheImagesCropsAndTheMostVariedAreKept()
    {
        var options = new PatchOptions { Size = 8, Count = 40, Keep = 10 };
        var set = Collect(2, 50, 37, options, seed: 5);
        Assert.Equal(10, set.Count);
        for (int k = 0; k < set.Count; k++)
        {
            var (top, left) = set.Positions[k];
            for (int c = 0; c < 2; c++)
                for (int y = 0; y < 8; y++)
                    for (int x = 0; x < 8; x++)
                        Assert.Equal(Pixel(c, top + y, left + x), set.Pixels[((k * 2 + c) * 8 + y) * 8 + x]);
        }
        // The kept ten are the ten highest variances among all forty crops.
        var all = Collect(2, 50, 37, options with { Keep = 40 }, seed: 5);
        var threshold = all.Variances.OrderDescending().ElementAt(9);
        Assert.All(set.Variances, v => Assert.True(v >= threshold));
        Assert.Equal(set.Positions, Collect(2, 50, 37, options, seed: 5).Positions); // seeded
        Assert.NotEqual(set.Positions, Collect(2, 50, 37, options, seed: 6).Positions);
    }

    [Fact]
    public void AGridTilesTheImageWithoutOverlap()
    {
        var set = Collect(1, 35, 26, new PatchOptions { Size = 8, Grid = true, Keep = 1000 }, seed: 0);
        Assert.Equal(4 * 3, set.Count);
        Assert.Equal((24, 16), set.Positions[^1]);
        Assert.Throws<DeepscopeException>(() => new PatchCollector(1, 7, 100, new PatchOptions { Size = 8 }, 0));
    }

    [Fact]
    public void TheEighteenFiltersAreATightFrame()
    {
        // Sum over filters of |F_k(w)|^2 is 1 at every frequency (Parseval: the coefficients keep the energy).
        const int n = 8;
        for (int u = 0; u < n; u++)
            for (int v = 0; v < n; v++)
            {
                double total = 0;
                foreach (var f in TightFrame.Filters)
                {
                    Complex sum = 0;
                    for (int i = 0; i < 3; i++)
                        for (int j = 0; j < 3; j++) sum += f[i * 3 + j] * Complex.Exp(-2 * Math.PI * Complex.ImaginaryOne * (u * i + v * j) / n);
                    total += sum.Magnitude * sum.Magnitude;
                }
                Assert.Equal(1.0, total, 1e-12);
            }
    }

    [Fact]
    public void TightFrameStatisticsMatchScipy()
    {
        // Reference: scipy.signal.convolve2d(x, f, 'same'), then mean, std(ddof=1), mean(|c - mean| > std) on
        // x[i, j] = ((7i + 3j^2 + ij) mod 11) / 10, 12 x 12.
        var x = new float[144];
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < 12; j++) x[i * 12 + j] = ((7 * i + 3 * j * j + i * j) % 11) / 10f;
        using var image = tensor(x, [1, 1, 12, 12]);
        using var stats = TightFrame.Statistics(image);
        Assert.Equal([1, 54], stats.shape);
        var s = stats.data<float>().ToArray();
        (int Filter, double Mean, double Std, double Tail)[] reference =
        [
            (0, 0.4468750000, 0.1242635649, 0.3402777778),
            (1, 0, 0.0726541645, 0.3819444444),
            (3, 0, 0.0843073900, 0.3750000000),
            (5, 0, 0.0636824813, 0.4166666667),
        ];
        foreach (var (k, mean, std, tail) in reference)
        {
            Assert.Equal(mean, s[k], 1e-6);
            Assert.Equal(std, s[18 + k], 1e-6);
            Assert.Equal(tail, s[36 + k], 1e-6);
        }
    }

    [Fact]
    public void APaintingIsReadOnceIntoPatchesAndAThumbnailAndReencodingQuantisesTo8Bits()
    {
        using var dir = new TempDir();
        const int h = 300, w = 260;
        TiffWriter.Write(dir.File("p.tif"), h, w, 3, 16, 64, (top, rows, band) =>
        {
            for (int y = 0; y < rows; y++)
                for (int x = 0; x < w; x++)
                    for (int c = 0; c < 3; c++) band[(y * w + x) * 3 + c] = 0.5f + 0.4f * Pixel(c, top + y, x) / 2;
        });
        var options = new PatchOptions { Size = 32, Count = 12, Keep = 5 };
        var half = PaintingPatches.Read(dir.File("p.tif"), new PaintingReading(Scale: 0.5, ThumbnailSide: 50), options, 3);
        Assert.Equal((150, 130, 1), (half.Height, half.Width, half.Patches.Channels));
        Assert.Equal((50, 43), (half.ThumbnailHeight, half.ThumbnailWidth));
        Assert.Equal(5, half.Patches.Count);
        Assert.Equal("TIFF (tiled) 16-bit RGB 260x300", half.File.Describe());
        var colour = PaintingPatches.Read(dir.File("p.tif"), new PaintingReading(Colour: true), options, 3);
        Assert.Equal(3, colour.Patches.Channels);
        Assert.Contains(colour.Patches.Pixels, v => MathF.Abs(v * 255 - MathF.Round(v * 255)) > 1e-3f); // 16-bit values
        var jpeg = PaintingPatches.Read(dir.File("p.tif"), new PaintingReading(Colour: true, JpegQuality: 90), options, 3);
        Assert.Equal(colour.Patches.Positions.Length, jpeg.Patches.Positions.Length);
        Assert.All(jpeg.Patches.Pixels, v => Assert.Equal(0, v * 255 - MathF.Round(v * 255), 1e-3f));
        // JPEG moves the pixels, not the picture: the thumbnails' mean stays.
        Assert.Equal(colour.Thumbnail.Average(), jpeg.Thumbnail.Average(), 0.01);
    }
}
