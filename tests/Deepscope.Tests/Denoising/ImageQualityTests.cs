using System.Globalization;
using Deepscope.Denoising;
using Deepscope.Numerics;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Denoising;

public sealed class ImageQualityTests
{
    [Fact]
    public void MsePsnrSsim_EqualScikitImage()
    {
        PythonPeer.Require("skimage", "numpy");
        var random = new RandomStream(3);
        var clean = new Plane(40, 52);
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 52; x++) clean[y, x] = (float)(100 + 50 * Math.Sin(x / 4.0) + 30 * Math.Cos(y / 6.0));
        var noisy = clean with { Pixels = clean.Pixels.Select(v => (float)(v + 12 * random.NextNormal())).ToArray() };
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("a.txt"), clean.Pixels.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        File.WriteAllLines(dir.File("b.txt"), noisy.Pixels.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        var script = """
            import sys, numpy as np
            from skimage.metrics import mean_squared_error, peak_signal_noise_ratio, structural_similarity
            a = np.loadtxt(sys.argv[1], dtype=np.float32).astype(np.float64).reshape(40, 52)
            b = np.loadtxt(sys.argv[2], dtype=np.float32).astype(np.float64).reshape(40, 52)
            print(mean_squared_error(a, b), peak_signal_noise_ratio(a, b, data_range=255), structural_similarity(a, b, data_range=255),
                  structural_similarity(a, b, data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False))
            """;
        var expected = PythonPeer.Run(script, dir.File("a.txt"), dir.File("b.txt")).Trim().Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected[0], ImageQuality.Mse(clean, noisy), 1e-9 * expected[0]);
        Assert.Equal(expected[1], ImageQuality.Psnr(clean, noisy, 255), 1e-9);
        Assert.Equal(expected[2], ImageQuality.Ssim(clean, noisy, 255), 1e-9);
        Assert.Equal(expected[3], ImageQuality.Ssim(clean, noisy, 255, gaussianWeights: true), 1e-9);
    }

    [Fact]
    public void Frc_IsOneForIdenticalImages_AndFallsWithNoise()
    {
        var random = new RandomStream(8);
        var clean = new Plane(64, 64);
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++) clean[y, x] = (float)Math.Exp(-((x - 32) * (x - 32) + (y - 30) * (y - 30)) / 60.0);
        Assert.All(ImageQuality.FourierRingCorrelation(clean, clean).Take(20), v => Assert.Equal(1, v, 9));
        var noisy = clean with { Pixels = clean.Pixels.Select(v => (float)(v + 0.05 * random.NextNormal())).ToArray() };
        var frc = ImageQuality.FourierRingCorrelation(clean, noisy);
        Assert.Equal(32, frc.Length);
        Assert.True(frc[1] > 0.95 && frc[^1] < 0.3, $"frc {frc[1]:F3} at ring 1, {frc[^1]:F3} at the edge");
    }

    [Fact]
    public void Quantised_RoundsAndSaturatesLikeIm2uint8()
    {
        var plane = new Plane(1, 4, [-3f, 12.5f, 12.49f, 300f]);
        Assert.Equal([0f, 13f, 12f, 255f], ImageQuality.Quantised(plane).Pixels);
    }

    /// <summary>
    /// The denoise command reported "falls below 0.5 at ring 0 (0.000 cycles/pixel)" for zero-mean images whose means
    /// differ: ring 0 is the mean alone; the study already skipped it.
    /// </summary>
    [Fact]
    public void FrcHalfRing_SkipsTheMeanRing()
    {
        var clean = new Plane(32, 32);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++) clean[y, x] = (float)(Math.Sin(x / 2.0) * Math.Cos(y / 3.0));
        float mean = clean.Pixels.Average();
        var zeroMean = clean with { Pixels = clean.Pixels.Select(v => v - mean).ToArray() };
        // Means of opposite signs: ring 0 correlates at -1, every other ring at 1.
        var below = zeroMean with { Pixels = zeroMean.Pixels.Select(v => v - 0.1f).ToArray() };
        var above = zeroMean with { Pixels = zeroMean.Pixels.Select(v => v + 0.1f).ToArray() };
        var frc = ImageQuality.FourierRingCorrelation(below, above);
        Assert.True(frc[0] < 0.5, $"ring 0: {frc[0]}");
        Assert.Equal(-1, ImageQuality.FrcHalfRing(frc));
        Assert.Equal(3, ImageQuality.FrcHalfRing([1, 0.9, 0.6, 0.4, 0.8]));
    }
}
