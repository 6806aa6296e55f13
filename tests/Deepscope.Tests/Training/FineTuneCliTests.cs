using System.Collections;
using System.Text.Json;
using Deepscope.Tests.Support;
using Deepscope.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Deepscope.Tests.Training;

public class FineTuneCliTests : IClassFixture<SingleThreaded>
{
    /// <summary>A torchvision ResNet-18 state dict with an ImageNet-sized head, saved as PyTorch's .pth.</summary>
    static Dictionary<string, Tensor> WritePretrained(string path)
    {
        random.manual_seed(42);
        using var model = torchvision.models.resnet18(num_classes: 1000);
        model.save_py(path);
        return PyTorchUnpickler.UnpickleStateDict(path).Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (Tensor)e.Value!);
    }

    static string[] Args(string data, string weights, string output, string mode, params string[] extra) =>
    [
        "finetune", "--model", "resnet18", "--weights", weights, "--mode", mode, "--dataset", "cifar10", "--data-dir", data, "--no-download",
        "--limit", "256", "--test-limit", "128", "--batch-size", "64", "--optimizer", "adam", "--lr", "0.001", "--threads", "1", "--output", output, .. extra,
    ];

    [Fact]
    public void LinearProbeOnCachedFeaturesChangesOnlyTheHead()
    {
        var data = SharedData.Require("cifar10");
        using var dir = new TempDir();
        var weights = dir.File("resnet18.pth");
        var pretrained = WritePretrained(weights);
        var run = dir.File("probe");
        var (exit, stdout, stderr) = CliRunner.Run(Args(data, weights, run, "linear-probe", "--cache-features", "--epochs", "2"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("epoch   2:", stdout);

        var record = RunRecord.Read(run);
        Assert.Equal("finetune", record.Command);
        Assert.Equal([0.485f, 0.456f, 0.406f], record.Input.Mean);
        using var model = record.LoadModel(run);
        var tuned = model.state_dict();
        Assert.Equal(new long[] { 10, 512 }, tuned["fc.weight"].shape);
        foreach (var (key, value) in tuned.Where(kv => !kv.Key.StartsWith("fc.")))
            Assert.True(TinyData.Same(pretrained[key], value), $"{key} should keep its pretrained value");

        var metricsPath = dir.File("metrics.json");
        (exit, _, stderr) = CliRunner.Run("evaluate", "--run", run, "--data-dir", data, "--no-download", "--limit", "128", "--output", metricsPath);
        Assert.True(exit == 0, stderr);
        double reported = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, TrainingLog.HistoryJson))).RootElement[1].GetProperty("eval_accuracy").GetDouble();
        Assert.Equal(reported, JsonDocument.Parse(File.ReadAllText(metricsPath)).RootElement.GetProperty("accuracy").GetDouble(), 12);
    }

    [Fact]
    public void LastLayersTrainsTheLastStageAndTheHeadOnly()
    {
        var data = SharedData.Require("cifar10");
        using var dir = new TempDir();
        var weights = dir.File("resnet18.pth");
        var pretrained = WritePretrained(weights);
        var run = dir.File("last");
        var (exit, _, stderr) = CliRunner.Run(Args(data, weights, run, "last-layers", "--last-layers", "2", "--epochs", "1", "--augment", "crop,flip"));
        Assert.True(exit == 0, stderr);
        using var model = RunRecord.Read(run).LoadModel(run);
        foreach (var (key, value) in model.state_dict().Where(kv => kv.Key != "fc.weight" && kv.Key != "fc.bias"))
        {
            bool trained = key.StartsWith("layer4.");
            Assert.True(trained != TinyData.Same(pretrained[key], value), $"{key} should {(trained ? "change" : "stay")}");
        }
    }
}
