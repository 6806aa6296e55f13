using System.Globalization;
using Deepscope.IO;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Denoising;

public sealed class DenoiseTrainCommandTests
{
    [Fact]
    public void Train_then_denoise_with_the_run_folder_beats_the_noisy_input()
    {
        using var dir = new TempDir();
        // Smooth 32x32 images: products of sines of a few frequencies.
        var clean = new float[24 * 32 * 32];
        for (int i = 0; i < clean.Length; i++)
        {
            int n = i / 1024, y = i / 32 % 32, x = i % 32;
            clean[i] = (float)(Math.Sin((y + 3 * n) / (3.0 + n % 3)) * Math.Cos((x + n) / (4.0 + n % 2)));
        }
        using (var t = tensor(clean, [24, 32, 32])) Npy.Write(dir.File("clean.npy"), t);
        var (exit, stdout, stderr) = CliRunner.Run("denoise-train", "--clean", dir.File("clean.npy"), "--output", dir.File("run"), "--threads", "1",
            "--method", "dncnn", "--snr", "1", "--patch", "16", "--patches_per_epoch", "256", "--epochs", "4", "--depth", "5", "--width", "16");
        Assert.True(exit == 0, stderr);
        Assert.Contains("dncnn (dncnn) trained on 24 image(s)", stdout);
        Assert.True(File.Exists(dir.File("run/denoiser.json")) && File.Exists(dir.File("run/model.bin")));

        (exit, _, stderr) = CliRunner.Run("noise", "--input", dir.File("clean.npy"), "--output", dir.File("noisy.npy"), "--snr", "1", "--seed", "3");
        Assert.True(exit == 0, stderr);
        (exit, stdout, stderr) = CliRunner.Run("denoise", "--method", "dncnn", "--model", dir.File("run"), "--input", dir.File("noisy.npy"),
            "--output", dir.File("out.npy"), "--reference", dir.File("clean.npy"), "--threads", "1");
        Assert.True(exit == 0, stderr);
        var psnr = double.Parse(stdout.Split("psnr ")[1].Split(' ')[0], CultureInfo.InvariantCulture);
        // The noisy input's mean PSNR, as the command scores (data range: each clean image's max - min).
        using var noisy = Npy.Read(dir.File("noisy.npy"));
        using var reference = tensor(clean, [24, 32, 32]);
        var range = reference.amax([1, 2]) - reference.amin([1, 2]);
        double noisyPsnr = (10 * (range.square() / (noisy - reference).square().mean([1, 2])).log10()).mean().item<float>();
        Assert.True(psnr > noisyPsnr + 4, $"denoised {psnr} dB vs noisy {noisyPsnr:F2} dB\n{stdout}");
        (exit, _, stderr) = CliRunner.Run("denoise", "--method", "noise2void", "--model", dir.File("run"), "--input", dir.File("noisy.npy"), "--output", dir.File("x.npy"));
        Assert.Equal(1, exit);
        Assert.Contains("trained by dncnn, not noise2void", stderr);
    }
}
