using Deepscope.Denoising;
using Deepscope.Numerics;
using Deepscope.Studies.ClassicalDenoising;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Denoising;

public sealed class Bm3dTests
{
    [Fact]
    public void Bior15_EqualsDabovsMatrix()
    {
        // Rows of the hard-coded 8x8 bior1.5 matrix in Dabov et al.'s BM3D.m (v1.9).
        var t = BlockTransforms.Bior15(8);
        double[][] expected =
        [
            [0.353553390593274, 0.353553390593274, 0.353553390593274, 0.353553390593274, 0.353553390593274, 0.353553390593274, 0.353553390593274, 0.353553390593274],
            [0.219417649252501, 0.449283757993216, 0.449283757993216, 0.219417649252501, -0.219417649252501, -0.449283757993216, -0.449283757993216, -0.219417649252501],
            [0.569359398342846, 0.402347308162278, -0.402347308162278, -0.569359398342846, -0.083506045090284, 0.083506045090284, -0.083506045090284, 0.083506045090284],
            [-0.083506045090284, 0.083506045090284, -0.083506045090284, 0.083506045090284, 0.569359398342846, 0.402347308162278, -0.402347308162278, -0.569359398342846],
            [0.707106781186547, -0.707106781186547, 0, 0, 0, 0, 0, 0],
        ];
        for (int r = 0; r < expected.Length; r++)
            for (int c = 0; c < 8; c++) Assert.Equal(expected[r][c], t[r, c], 12);
        var identity = Multiply(t, BlockTransforms.Inverse(t));
        for (int r = 0; r < 8; r++)
            for (int c = 0; c < 8; c++) Assert.Equal(r == c ? 1 : 0, identity[r, c], 12);
    }

    [Fact]
    public void Dct_IsOrthonormal_AndKaiserMatchesBm3dWindow()
    {
        var d = BlockTransforms.Dct(8);
        var product = Multiply(d, Transpose(d));
        for (int r = 0; r < 8; r++)
            for (int c = 0; c < 8; c++) Assert.Equal(r == c ? 1 : 0, product[r, c], 12);
        // BM3D.m's hard-coded Kaiser(8, 2) x Kaiser(8, 2) window, 4 decimals.
        var window = BlockTransforms.Kaiser2D(8, 2);
        Assert.Equal(0.1924, window[0], 4);
        Assert.Equal(0.4325, window[3], 4);
        Assert.Equal(0.9718, window[3 * 8 + 3], 4);
        Assert.Equal(0.5974, window[2 * 8 + 1], 4);
    }

    [Fact]
    public void Haar_IsOrthonormal_AndInvertible()
    {
        var random = new RandomStream(1);
        var data = Enumerable.Range(0, 16 * 3).Select(_ => (float)random.NextNormal()).ToArray();
        var original = (float[])data.Clone();
        var scratch = new float[16];
        BlockTransforms.Haar(data, 1, 3, 16, scratch);
        double before = Enumerable.Range(0, 16).Sum(i => (double)original[1 + 3 * i] * original[1 + 3 * i]);
        double after = Enumerable.Range(0, 16).Sum(i => (double)data[1 + 3 * i] * data[1 + 3 * i]);
        Assert.Equal(before, after, 4);
        Assert.Equal(Enumerable.Range(0, 16).Sum(i => original[1 + 3 * i]) / 4, data[1], 4); // DC = sum / sqrt(16)
        BlockTransforms.InverseHaar(data, 1, 3, 16, scratch);
        for (int i = 0; i < data.Length; i++) Assert.Equal(original[i], data[i], 4);
    }

    [Fact]
    public void Bm3d_OnSet12House_MatchesPublishedPsnr()
    {
        // Set12 02.png (House) at sigma 25: BM3D's published 32.85 dB (Zhang et al. 2017, Table III); another noise draw
        // moves a single image by ~0.1 dB.
        var data = SharedData.Require("denoising/Set12/02.png");
        var clean = ClassicalDenoisingStudy.ReadGrey(Path.Combine(data, "denoising/Set12/02.png"));
        var noisy = Noisy(clean, 25, seed: 0);
        var denoised = ImageQuality.Quantised(new Bm3d(new Bm3dOptions()).Denoise(noisy, 25));
        double psnr = ImageQuality.Psnr(clean, denoised, 255);
        Assert.InRange(psnr, 32.85 - 0.3, 32.85 + 0.3);
    }

    [Fact]
    public void Bm3d_IsDeterministic_AndBeatsWienerOnSmoothImage()
    {
        var clean = new Plane(48, 40);
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 40; x++) clean[y, x] = (float)(128 + 60 * Math.Sin(x / 5.0) * Math.Cos(y / 7.0) + (x > 20 ? 40 : 0));
        var noisy = Noisy(clean, 20, seed: 3);
        var bm3d = new Bm3d(new Bm3dOptions());
        var a = bm3d.Denoise(noisy, 20);
        Assert.Equal(a.Pixels, bm3d.Denoise(noisy, 20).Pixels);
        double noisyPsnr = ImageQuality.Psnr(clean, noisy, 255);
        double bm3dPsnr = ImageQuality.Psnr(clean, a, 255);
        double wienerPsnr = ImageQuality.Psnr(clean, new WienerFilter(new WienerFilterOptions()).Denoise(noisy, 20), 255);
        Assert.True(bm3dPsnr > noisyPsnr + 8, $"bm3d {bm3dPsnr:F2} dB vs noisy {noisyPsnr:F2} dB");
        Assert.True(bm3dPsnr > wienerPsnr + 2, $"bm3d {bm3dPsnr:F2} dB vs wiener {wienerPsnr:F2} dB");
        // Data in other units: the same image scaled by 1/255 with data_range 1 gives the same result scaled.
        var scaled = noisy with { Pixels = noisy.Pixels.Select(v => v / 255f).ToArray() };
        var b = new Bm3d(new Bm3dOptions { DataRange = 1 }).Denoise(scaled, 20 / 255.0);
        for (int i = 0; i < a.Pixels.Length; i++) Assert.Equal(a.Pixels[i] / 255, b.Pixels[i], 3);
    }

    [Fact]
    public void NoiseEstimate_RecoversSigma()
    {
        var clean = new Plane(128, 128);
        for (int i = 0; i < clean.Pixels.Length; i++) clean.Pixels[i] = 100 + (i % 128) * 0.2f;
        Assert.InRange(NoiseEstimation.Sigma(Noisy(clean, 15, seed: 5)), 14.2, 15.8);
    }

    internal static Plane Noisy(Plane clean, double sigma, ulong seed)
    {
        var random = new RandomStream(seed);
        return clean with { Pixels = clean.Pixels.Select(v => (float)(v + sigma * random.NextNormal())).ToArray() };
    }

    static double[,] Multiply(double[,] a, double[,] b)
    {
        int n = a.GetLength(0);
        var c = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) c[i, j] += a[i, k] * b[k, j];
        return c;
    }

    static double[,] Transpose(double[,] a)
    {
        int n = a.GetLength(0);
        var t = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) t[j, i] = a[i, j];
        return t;
    }
}
