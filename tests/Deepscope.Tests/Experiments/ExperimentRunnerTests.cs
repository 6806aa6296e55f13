using System.Text.Json;
using Deepscope.Experiments;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Experiments;

public class ExperimentRunnerTests
{
    [Fact]
    public void RunsCachesAndResumes()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        File.WriteAllText(dir.File("e.yaml"), """
            name: tiny
            datasets:
              - mnist: {train_subset: 600, test_subset: 200}
            features: [pixels]
            embeddings: {methods: [pca], samples: 200}
            learners:
              - lda: {shrinkage: auto}
              - knn: {k: [1, 3]}
            cv: 2
            scale: false
            """);
        var config = ExperimentFile.Load(dir.File("e.yaml"));
        var options = new RunOptions(dir.File("run"), data, dir.File("cache"));

        var report = new ExperimentRunner(config, options).Run();
        Assert.True(File.Exists(report));
        var results = Results(dir);
        Assert.Equal(["lda", "knn"], results.Select(r => r.GetProperty("Result").GetProperty("Learner").GetString()));
        // k-NN on 600 raw MNIST digits (no scaling): about 85%; chance is 10%.
        var knn = results[1].GetProperty("Result");
        Assert.InRange(knn.GetProperty("TestAccuracy").GetDouble(), 0.8, 0.95);
        Assert.True(knn.GetProperty("CrossValidationAccuracy").GetDouble() > 0.75);
        Assert.Contains(knn.GetProperty("Params").GetProperty("k").GetString(), new[] { "1", "3" });
        Assert.True(File.Exists(dir.File("run/embeddings/mnist-pixels-pca.png")));
        var html = File.ReadAllText(report);
        Assert.Contains("data:image/png;base64,", html);

        // Drop one result as if the run had been killed before it: only that one is recomputed, features come from cache.
        var kept = JsonSerializer.Serialize(results.Take(1));
        File.WriteAllText(dir.File("run/results.json"), kept);
        var featureFiles = Directory.GetFiles(dir.File("cache"), "*.npy", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        new ExperimentRunner(config, options).Run();
        var again = Results(dir);
        Assert.Equal(2, again.Count);
        Assert.Equal(results[1].GetProperty("Result").GetProperty("TestAccuracy").GetDouble(),
            again[1].GetProperty("Result").GetProperty("TestAccuracy").GetDouble());
        Assert.All(featureFiles, f => Assert.Equal(f.Value, File.GetLastWriteTimeUtc(f.Key)));
        // The resumed run still reports the stages done before it (the extraction time measured when features were made).
        var timings = File.ReadAllText(dir.File("run/timings.json"));
        Assert.Contains("\"Stage\": \"features pixels on mnist\"", timings);
        Assert.Contains("\"Stage\": \"learner lda on pixels (mnist)\"", timings);
    }

    [Fact]
    public void FineTunesThroughTheTrainingEngineAndDoesNotRedoIt()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        // LeNet from scratch, 2 epochs on 1000 digits: well above the 10% of chance (about 90-95%).
        File.WriteAllText(dir.File("scratch.yaml"), """
            name: scratch
            datasets:
              - mnist: {train_subset: 1000, test_subset: 300}
            features: [pixels]
            learners: [lda]
            finetune: {model: lenet, epochs: 2, lr: 0.05, batch_size: 50}
            """);
        var options = new RunOptions(dir.File("run"), data, dir.File("cache"));
        var report = new ExperimentRunner(ExperimentFile.Load(dir.File("scratch.yaml")), options).Run();

        var tuned = Results(dir).Single(r => r.GetProperty("Result").GetProperty("Learner").GetString() == "fine-tune").GetProperty("Result");
        Assert.Equal("lenet trained from scratch", tuned.GetProperty("Feature").GetString());
        double accuracy = tuned.GetProperty("TestAccuracy").GetDouble();
        Assert.InRange(accuracy, 0.8, 1.0);
        var details = tuned.GetProperty("FineTune");
        Assert.Equal(2, details.GetProperty("Epochs").GetInt32());
        // The last epoch's evaluation is the final test accuracy: the same weights, the same 300 images.
        Assert.Equal(accuracy, details.GetProperty("EpochTestAccuracy")[1].GetDouble(), 1e-9);
        Assert.Equal(300, tuned.GetProperty("PerClass").EnumerateArray().Sum(c => c.GetProperty("Support").GetInt64()));
        Assert.Equal(10, tuned.GetProperty("ConfusionMatrix").GetArrayLength());
        var runDirectory = details.GetProperty("RunDirectory").GetString()!;
        var weights = Path.Combine(runDirectory, "model.pth");
        Assert.True(File.Exists(weights));
        var html = File.ReadAllText(report);
        Assert.Contains("Fine-tuning on mnist", html);
        Assert.Contains("The CNN lenet trained from scratch (2 epochs) reaches", html);

        // A second run finds the result and does not train again: the checkpoint is untouched.
        var checkpoint = Path.Combine(runDirectory, "checkpoint.bin");
        var written = File.GetLastWriteTimeUtc(checkpoint);
        new ExperimentRunner(ExperimentFile.Load(dir.File("scratch.yaml")), options).Run();
        Assert.Equal(written, File.GetLastWriteTimeUtc(checkpoint));
        Assert.Single(Results(dir), r => r.GetProperty("Result").GetProperty("Learner").GetString() == "fine-tune");

        // Those weights as a pretrained body: a linear probe (new head on cached features) keeps most of the accuracy.
        File.WriteAllText(dir.File("probe.yaml"), $"""
            name: probe
            datasets:
              - mnist: {"{"}train_subset: 1000, test_subset: 300{"}"}
            features: [pixels]
            learners: [lda]
            finetune: {"{"}model: lenet, weights: {weights}, epochs: 3, lr: 0.05, batch_size: 50{"}"}
            """);
        new ExperimentRunner(ExperimentFile.Load(dir.File("probe.yaml")), options with { OutputDirectory = dir.File("run") }).Run();
        var probe = Results(dir).Single(r => r.GetProperty("Result").GetProperty("Feature").GetString() == "lenet fine-tuned (linear-probe)").GetProperty("Result");
        Assert.InRange(probe.GetProperty("TestAccuracy").GetDouble(), 0.8, 1.0);
    }

    static List<JsonElement> Results(TempDir dir) =>
        JsonDocument.Parse(File.ReadAllText(dir.File("run/results.json"))).RootElement.EnumerateArray().ToList();
}
