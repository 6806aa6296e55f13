using System.Globalization;
using Deepscope.CryoEm;
using Deepscope.Denoising;
using Deepscope.IO;
using Deepscope.Numerics;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Denoising;

public sealed class DenoiseCommandTests
{
    [Fact]
    public void NoiseThenDenoise_Npy_KeepsShape_AndPrintsScores()
    {
        using var dir = new TempDir();
        var clean = new float[3 * 40 * 40];
        for (int i = 0; i < clean.Length; i++) clean[i] = (float)(0.5 + 0.3 * Math.Sin(i % 40 / 4.0) * Math.Cos(i / 40 % 40 / 5.0));
        using (var t = tensor(clean, [3, 40, 40])) Npy.Write(dir.File("clean.npy"), t);
        var (exit, stdout, stderr) = CliRunner.Run("noise", "--input", dir.File("clean.npy"), "--output", dir.File("noisy.npy"), "--mode", "gaussian", "--var", "0.0025", "--no-clip", "--seed", "1");
        Assert.True(exit == 0, stderr);
        var noisy = Npy.Read(dir.File("noisy.npy"));
        Assert.Equal(new long[] { 3, 40, 40 }, noisy.shape);
        double std = (noisy - tensor(clean, [3, 40, 40])).std().item<float>();
        Assert.InRange(std, 0.047, 0.053);
        (exit, stdout, stderr) = CliRunner.Run("denoise", "--method", "bm3d", "--input", dir.File("noisy.npy"), "--output", dir.File("out.npy"),
            "--sigma", "0.05", "--reference", dir.File("clean.npy"), "--data_range", "1");
        Assert.True(exit == 0, stderr);
        Assert.Equal(new long[] { 3, 40, 40 }, Npy.Read(dir.File("out.npy")).shape);
        var psnr = double.Parse(stdout.Split("psnr ")[1].Split(' ')[0], CultureInfo.InvariantCulture);
        double noisyPsnr = 10 * Math.Log10(1 / (std * std));
        Assert.True(psnr > noisyPsnr + 5, $"denoised {psnr} dB vs noisy {noisyPsnr:F2} dB:\n{stdout}");
        Assert.Contains("ssim", stdout);
        Assert.Contains("frc", stdout);
    }

    /// <summary>
    /// Noise widens a float image's range (0..1 becomes about -0.3..1.3 at sigma 0.1), so a range read from the noisy input
    /// would scale the published thresholds wrongly: with a reference, its range is the data's.
    /// </summary>
    [Fact]
    public void Denoise_WithoutDataRange_TakesItFromTheReference()
    {
        using var dir = new TempDir();
        var clean = Enumerable.Range(0, 32 * 32).Select(i => (float)(i % 32 / 31.0)).ToArray();
        var random = new RandomStream(3);
        var noisy = clean.Select(v => (float)(v + 0.1 * random.NextNormal())).ToArray();
        using (var t = tensor(clean, [32, 32])) Npy.Write(dir.File("clean.npy"), t);
        using (var t = tensor(noisy, [32, 32])) Npy.Write(dir.File("noisy.npy"), t);
        var (exit, _, stderr) = CliRunner.Run("denoise", "--method", "bm3d", "--sigma", "0.1", "--input", dir.File("noisy.npy"), "--output", dir.File("out.npy"),
            "--reference", dir.File("clean.npy"));
        Assert.True(exit == 0, stderr);
        Assert.Contains($"data range 1 (from {dir.File("clean.npy")}", stderr);
        (exit, _, stderr) = CliRunner.Run("denoise", "--method", "bm3d", "--sigma", "0.1", "--input", dir.File("noisy.npy"), "--output", dir.File("out2.npy"));
        Assert.True(exit == 0, stderr);
        Assert.Contains($"(from {dir.File("noisy.npy")}", stderr);
    }

    [Fact]
    public void Noise_OnMrcStack_AtSnr_KeepsHeader()
    {
        using var dir = new TempDir();
        var values = Enumerable.Range(0, 4 * 16 * 16).Select(i => (float)Math.Sin(i / 7.0)).ToArray();
        MrcFile.Write(dir.File("clean.mrcs"), new MrcMap(MrcFile.NewHeader(16, 16, 4, stack: true, voxelSize: 3.5f), values));
        var (exit, _, stderr) = CliRunner.Run("noise", "--input", dir.File("clean.mrcs"), "--output", dir.File("noisy.mrcs"), "--snr", "0.1", "--seed", "0");
        Assert.True(exit == 0, stderr);
        var noisy = MrcFile.Read(dir.File("noisy.mrcs"));
        Assert.Equal((16, 16, 4, true, 3.5f), (noisy.Header.Nx, noisy.Header.Ny, noisy.Header.Nz, noisy.Header.IsImageStack, noisy.Header.VoxelSize.X));
        double signal = values.Select(v => (double)v * v).Average() - Math.Pow(values.Average(), 2);
        double noise = noisy.Data.Select((v, i) => Math.Pow(v - values[i], 2)).Average();
        Assert.InRange(signal / noise, 0.085, 0.115);
    }

    [Fact]
    public void Denoise_UnknownMethodOrBadFile_IsAOneLineError()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("bad.mrc"), new byte[100]);
        var (exit, _, stderr) = CliRunner.Run("denoise", "--method", "bm3d", "--input", dir.File("bad.mrc"), "--output", dir.File("o.mrc"));
        Assert.Equal(1, exit);
        Assert.Contains("truncated MRC header", stderr);
        (exit, _, stderr) = CliRunner.Run("denoise", "--method", "nlm", "--input", dir.File("bad.mrc"), "--output", dir.File("o.mrc"));
        Assert.Equal(1, exit);
        Assert.Contains("unknown denoiser 'nlm'", stderr);
    }

    [Fact]
    public void Ksvd_DenoisesAndLearnsFromTheDct()
    {
        var dct = Ksvd.OvercompleteDct(8, 256);
        for (int a = 0; a < 256; a += 37)
            Assert.Equal(1, Enumerable.Range(0, 64).Sum(p => (double)dct[p * 256 + a] * dct[p * 256 + a]), 5);
        var clean = new Plane(40, 40);
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 40; x++) clean[y, x] = (float)(128 + 50 * Math.Sin(x / 3.0) + (y > 18 ? 40 : 0));
        var random = new RandomStream(4);
        var noisy = clean with { Pixels = clean.Pixels.Select(v => (float)(v + 20 * random.NextNormal())).ToArray() };
        var denoised = new Ksvd(new KsvdOptions { Iterations = 3 }).Denoise(noisy, 20);
        double before = ImageQuality.Psnr(clean, noisy, 255), after = ImageQuality.Psnr(clean, denoised, 255);
        Assert.True(after > before + 6, $"ksvd {after:F2} dB vs noisy {before:F2} dB");
    }
}
