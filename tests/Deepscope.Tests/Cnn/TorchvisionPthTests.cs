using System.Diagnostics;
using Deepscope.IO;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Cnn;

/// <summary>
/// Full-size checks against the real thing: Debian's python3-torchvision writes a resnet18 / vgg16 .pth (seeded random
/// weights, random BatchNorm statistics; resnet18 wrapped as a training checkpoint with "module." keys) and its
/// activations for the same inputs at 224 x 224; `deepscope features cnn` must reproduce them (relative error 1e-4).
/// Skipped when /usr/bin/python3 cannot import torchvision.
/// </summary>
[Trait(Category.Name, Category.Long)]
public sealed class TorchvisionPthTests(ITestOutputHelper output)
{
    const string Python = "/usr/bin/python3";
    const double Tolerance = 1e-4;

    [Fact]
    public void Resnet18_WrappedCheckpoint_MatchesTorchvision() =>
        Compare("resnet18", wrap: true, ["layer1", "layer2.1.bn2", "layer3", "layer4.1.relu", "avgpool", "fc"]);

    [Fact]
    public void Vgg16_Checkpoint_MatchesTorchvision() =>
        Compare("vgg16", wrap: false, ["features.4", "features.22", "features.29", "avgpool", "classifier.1", "classifier.4", "classifier.6"]);

    void Compare(string model, bool wrap, string[] layers)
    {
        RequireTorchvision();
        using var dir = new TempDir();
        manual_seed(3);
        // Grayscale 100 x 100 images resized to 224: the MNIST-style path of the dataset mode.
        using (var images = rand(3, 100, 100)) Npy.Write(dir.File("x.npy"), images);
        var weights = dir.File($"{model}.pth");
        RunPython([Path.Combine(TorchvisionFixtures.Directory, "torchvision_reference.py"), "pth", model, weights, dir.File("x.npy"),
            dir.File("expected"), "--resize", "224", "--layers", string.Join(",", layers), .. wrap ? new[] { "--wrap" } : []]);

        foreach (bool bf16 in new[] { false, true })
        {
            var (exit, stdout, stderr) = CliRunner.Run(["features", "cnn", "--model", model, "--weights", weights, "--input", dir.File("x.npy"),
                "--resize", "224", "--layer", string.Join(",", layers), "--output", dir.File("f.npy"), .. bf16 ? new[] { "--bf16" } : []]);
            Assert.True(exit == 0, $"exit {exit}: {stderr}");
            output.WriteLine(stdout);
            foreach (var layer in layers)
            {
                using var expected = Npy.Read(dir.File($"expected.{layer}.npy"));
                using var actual = Npy.Read(dir.File($"f.{layer}.npy"));
                double error = TorchvisionFixtures.RelativeError(actual, expected);
                output.WriteLine($"{model} {(bf16 ? "bf16" : "fp32")} {layer}: relative error {error:E2}");
                if (bf16) Assert.True(error < 0.1, $"bf16 {layer}: relative error {error:E2}");
                else Assert.True(error <= Tolerance, $"{layer}: relative error {error:E2}");
            }
        }
    }

    static void RequireTorchvision()
    {
        if (!File.Exists(Python)) Assert.Skip($"{Python} is absent");
        var (exit, _) = Exec(["-c", "import torchvision"]);
        if (exit != 0) Assert.Skip($"{Python} cannot import torchvision (apt install python3-torchvision)");
    }

    static void RunPython(string[] args)
    {
        var (exit, stderr) = Exec(args);
        Assert.True(exit == 0, $"python3 {string.Join(' ', args)} failed: {stderr}");
    }

    static (int Exit, string Stderr) Exec(string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(20))) { process.Kill(); return (-1, "timed out"); }
        return (process.ExitCode, stderr.Result);
    }
}
