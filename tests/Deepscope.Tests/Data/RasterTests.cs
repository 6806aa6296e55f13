using Deepscope.Data;
using Deepscope.Data.Generators;
using Deepscope.Data.Rasters;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Data;

public sealed class RasterTests
{
    /// <summary>A deterministic sample value for (channel, row, column), on the 16-bit grid.</summary>
    static float Sample(int c, int y, int x) => ((c * 7919 + y * 131 + x * 17) % 65536) / 65535f;

    static void WriteTiff(string path, int h, int w, int channels, int bits, int tile) =>
        TiffWriter.Write(path, h, w, channels, bits, tile, (top, rows, band) =>
        {
            for (int y = 0; y < rows; y++)
                for (int x = 0; x < w; x++)
                    for (int c = 0; c < channels; c++) band[(y * w + x) * channels + c] = Sample(c, top + y, x);
        });

    [Theory]
    [InlineData(16, 4, 32)] // RGBA, tiled: alpha dropped, tiles straddled by the bands
    [InlineData(16, 3, 0)]  // RGB in strips
    [InlineData(8, 1, 16)]  // grey, tiled, 8-bit
    public void TiffsAreReadBandByBandAtTheirRealDepth(int bits, int channels, int tile)
    {
        using var dir = new TempDir();
        const int h = 70, w = 45;
        WriteTiff(dir.File("a.tif"), h, w, channels, bits, tile);
        using var reader = RasterReader.Open(dir.File("a.tif"));
        Assert.Equal(new RasterInfo(h, w, channels, bits, tile > 0 ? "TIFF (tiled)" : "TIFF"), reader.Info);
        int outChannels = channels >= 3 ? 3 : 1, top = 0;
        float max = (1 << bits) - 1;
        foreach (int rows in new[] { 7, 33, 30 })
        {
            var planar = new float[outChannels * rows * w];
            reader.ReadRows(rows, planar);
            for (int c = 0; c < outChannels; c++)
                for (int y = 0; y < rows; y++)
                    for (int x = 0; x < w; x++)
                    {
                        float expected = MathF.Round(Sample(c, top + y, x) * max) / max;
                        Assert.Equal(expected, planar[(c * rows + y) * w + x], 1e-6f);
                    }
            top += rows;
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.ReadRows(1, new float[outChannels * w]));
    }

    [Fact]
    public void JpegsReportTheirStoredSamplesAndDepth()
    {
        using var dir = new TempDir();
        var rgb = Enumerable.Range(0, 3 * 16 * 24).Select(i => (i % 97) / 96f).ToArray();
        DrawingsGenerator.SaveJpeg(dir.File("g.jpg"), rgb, 16, 24, grey: true, quality: 90);
        DrawingsGenerator.SaveJpeg(dir.File("c.jpg"), rgb, 16, 24, grey: false, quality: 90);
        using var grey = RasterReader.Open(dir.File("g.jpg"));
        using var colour = RasterReader.Open(dir.File("c.jpg"));
        Assert.Equal((1, 8, 1, "JPEG"), (grey.Info.Samples, grey.Info.Bits, grey.Info.Channels, grey.Info.Format));
        Assert.Equal((3, 8, 3), (colour.Info.Samples, colour.Info.Bits, colour.Info.Channels));
        var planar = new float[3 * 16 * 24];
        colour.ReadRows(16, planar);
        Assert.All(planar, v => Assert.Equal(0, v * 255 - MathF.Round(v * 255), 1e-3f)); // 8-bit values
    }

    static float[] Resample(float[] image, int channels, int h, int w, int oh, int ow, int band)
    {
        var output = new float[channels * oh * ow];
        int emitted = 0;
        var resampler = new AreaResampler(channels, h, w, oh, ow, (y, row) =>
        {
            Assert.Equal(emitted++, y); // rows come out in order, each once
            for (int c = 0; c < channels; c++) Array.Copy(row, c * ow, output, (c * oh + y) * ow, ow);
        });
        for (int top = 0; top < h; top += band)
        {
            int rows = Math.Min(band, h - top);
            var part = new float[channels * rows * w];
            for (int c = 0; c < channels; c++) Array.Copy(image, (c * h + top) * w, part, c * rows * w, rows * w);
            resampler.Push(part, rows);
        }
        Assert.Equal(oh, emitted);
        return output;
    }

    [Fact]
    public void HalvingAveragesTwoByTwoBlocksWhateverTheBands()
    {
        const int h = 10, w = 8;
        var image = Enumerable.Range(0, 2 * h * w).Select(i => (float)(i * 37 % 23)).ToArray();
        foreach (int band in new[] { 1, 3, 10 })
        {
            var half = Resample(image, 2, h, w, h / 2, w / 2, band);
            for (int c = 0; c < 2; c++)
                for (int y = 0; y < h / 2; y++)
                    for (int x = 0; x < w / 2; x++)
                    {
                        float mean = (image[(c * h + 2 * y) * w + 2 * x] + image[(c * h + 2 * y) * w + 2 * x + 1]
                                      + image[(c * h + 2 * y + 1) * w + 2 * x] + image[(c * h + 2 * y + 1) * w + 2 * x + 1]) / 4;
                        Assert.Equal(mean, half[(c * h / 2 + y) * w / 2 + x], 1e-4f);
                    }
        }
    }

    [Theory]
    [InlineData(37, 29, 23, 17)] // a fractional reduction
    [InlineData(9, 7, 20, 15)]   // enlargement
    public void AreaResamplingKeepsConstantsAndTheMean(int h, int w, int oh, int ow)
    {
        var constant = Resample(Enumerable.Repeat(0.25f, h * w).ToArray(), 1, h, w, oh, ow, 4);
        Assert.All(constant, v => Assert.Equal(0.25f, v, 1e-5f));
        var ramp = Enumerable.Range(0, h * w).Select(i => (float)(i % w + 3 * (i / w))).ToArray();
        var resampled = Resample(ramp, 1, h, w, oh, ow, 5);
        // Area averaging conserves the integral: the mean of the output equals the input's.
        Assert.Equal(ramp.Average(), resampled.Average(), 1e-3);
    }
}
