using System.Diagnostics;
using Deepscope.IO;
using Deepscope.Models.Pretrained;
using Deepscope.Tests.Cnn;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Onnx;

/// <summary>
/// A user's torch.onnx export of a torchvision classifier (batch norms folded into the convolutions, as eval-mode
/// export does) imported onto our definitions: the logits equal PyTorch's. The exports are made at test time by
/// export_torchvision.py with Debian's python3-torch; the tests skip when it is absent.
/// </summary>
public sealed class TorchvisionOnnxTests
{
    const string Python = "/usr/bin/python3";

    [Fact]
    public void ResNet18Export_GivesPyTorchsLogits() => ImportedLogitsEqualPyTorchs("resnet18", 64);

    [Fact, Trait(Category.Name, Category.Long)]
    public void Vgg11BnExport_GivesPyTorchsLogits() => ImportedLogitsEqualPyTorchs("vgg11_bn", 224);

    [Fact, Trait(Category.Name, Category.Long)]
    public void AlexNetExport_GivesPyTorchsLogits() => ImportedLogitsEqualPyTorchs("alexnet", 224);

    static void ImportedLogitsEqualPyTorchs(string arch, int size)
    {
        var folder = Directory.CreateTempSubdirectory("deepscope-onnx-");
        try
        {
            Export(arch, size, folder.FullName);
            using var model = CnnModels.Load(arch, Path.Combine(folder.FullName, "model.onnx"));
            using var input = Npy.Read(Path.Combine(folder.FullName, "input.npy"));
            using var expected = Npy.Read(Path.Combine(folder.FullName, "output.npy"));
            using var _ = no_grad();
            using var logits = model.call(input);
            Assert.Equal(10, logits.shape[1]);
            Assert.True(TorchvisionFixtures.RelativeError(logits, expected) < 1e-4, $"{arch}: logits differ from PyTorch's");
        }
        finally { folder.Delete(recursive: true); }
    }

    static void Export(string arch, int size, string folder)
    {
        if (!File.Exists(Python)) Assert.Skip($"{Python} not found: the ONNX exports need Debian's python3-torch");
        var script = Path.Combine(AppContext.BaseDirectory, "Onnx", "export_torchvision.py");
        var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { script, arch, size.ToString(System.Globalization.CultureInfo.InvariantCulture), folder }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 && stderr.Contains("No module named"))
            Assert.Skip($"python3-torch/torchvision/onnx missing: {stderr.Trim().Split('\n')[^1]}");
        Assert.True(process.ExitCode == 0, $"export_torchvision.py {arch} failed: {stderr}{stdout.Result}");
    }
}
