using System.Globalization;
using Deepscope.Denoising.Networks;
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

    [Fact]
    public void Bad_training_inputs_are_one_line_errors_and_leave_no_run_folder()
    {
        using var dir = new TempDir();
        using (var t = zeros(3, 24, 24)) Npy.Write(dir.File("small.npy"), t);
        string Error(params string[] args)
        {
            var (exit, _, stderr) = CliRunner.Run(args);
            Assert.True(exit == 1, stderr);
            return Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("deepscope: "));
        }
        // The size error used to name neither the file nor the image's size.
        Assert.Contains($"{dir.File("small.npy")}: a 24x24 image is smaller than the 40x40 training patches",
            Error("denoise-train", "--clean", dir.File("small.npy"), "--output", dir.File("run")));
        // A method that needs clean images used to fail after creating the run folder.
        Assert.Contains("dncnn needs clean images", Error("denoise-train", "--noisy", dir.File("small.npy"), "--output", dir.File("run"), "--patch", "16"));
        Assert.False(Directory.Exists(dir.File("run")));
        // A run folder without its weights (a training stopped early) used to be an internal error.
        Directory.CreateDirectory(dir.File("unfinished"));
        new DenoiserNetwork(DenoiserMethods.DnCnn, DenoiserNetwork.DnCnnArchitecture, 3, 4, 1, NetworkScaling.Standardise).Write(dir.File("unfinished"));
        Assert.Contains("model.bin not found: the training has not finished",
            Error("denoise", "--method", "dncnn", "--model", dir.File("unfinished"), "--input", dir.File("small.npy"), "--output", dir.File("o.npy")));
        Assert.False(File.Exists(dir.File("o.npy")));
    }
}
