using System.Text.Json;
using Deepscope.Experiments;
using Deepscope.Studies;
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
        var config = StudyFile.Load(dir.File("e.yaml"));
        var options = new RunSettings(dir.File("run"), data, dir.File("cache"));

        var report = StudyHost.Run(config, options);
        Assert.True(File.Exists(report));
        var results = Results(dir);
        Assert.Equal(["lda", "knn"], results.Select(r => r.GetProperty("learner").GetString()));
        // k-NN on 600 raw MNIST digits (no scaling): about 85%; chance is 10%.
        var knn = results[1];
        Assert.InRange(knn.GetProperty("test_accuracy").GetDouble(), 0.8, 0.95);
        Assert.True(knn.GetProperty("cross_validation_accuracy").GetDouble() > 0.75);
        Assert.Contains(knn.GetProperty("params").GetProperty("k").GetString(), new[] { "1", "3" });
        Assert.True(File.Exists(dir.File("run/embeddings/mnist-pixels-pca.png")));
        var html = File.ReadAllText(report);
        Assert.Contains("data:image/png;base64,", html);

        // Drop one result as if the run had been killed before it: only that one is recomputed, features come from cache.
        var learnerStages = Directory.GetFiles(dir.File("run/stages/learner"), "*.json")
            .ToDictionary(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("label").GetString()!, File.GetLastWriteTimeUtc);
        File.Delete(Directory.GetFiles(dir.File("run/stages/learner"), "*.json")
            .Single(f => File.ReadAllText(f).Contains("\"label\": \"learner knn on pixels (mnist)\"")));
        var featureFiles = Directory.GetFiles(dir.File("cache"), "*.npy", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        StudyHost.Run(config, options);
        var again = Results(dir);
        Assert.Equal(2, again.Count);
        Assert.Equal(results[1].GetProperty("test_accuracy").GetDouble(), again[1].GetProperty("test_accuracy").GetDouble());
        var ldaStage = Directory.GetFiles(dir.File("run/stages/learner"), "*.json").Single(f => File.ReadAllText(f).Contains("learner lda on"));
        Assert.Equal(learnerStages["learner lda on pixels (mnist)"], File.GetLastWriteTimeUtc(ldaStage));
        Assert.All(featureFiles, f => Assert.Equal(f.Value, File.GetLastWriteTimeUtc(f.Key)));
        // The resumed run still reports the stages done before it (the extraction time measured when features were made).
        var timings = File.ReadAllText(dir.File("run/timings.json"));
        Assert.Contains("\"stage\": \"features pixels on mnist\"", timings);
        Assert.Contains("\"stage\": \"learner lda on pixels (mnist)\"", timings);
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
        var options = new RunSettings(dir.File("run"), data, dir.File("cache"));
        var report = StudyHost.Run(StudyFile.Load(dir.File("scratch.yaml")), options);

        var tuned = Results(dir).Single(r => r.GetProperty("learner").GetString() == "fine-tune");
        Assert.Equal("lenet trained from scratch", tuned.GetProperty("feature").GetString());
        double accuracy = tuned.GetProperty("test_accuracy").GetDouble();
        Assert.InRange(accuracy, 0.8, 1.0);
        var details = tuned.GetProperty("fine_tune");
        Assert.Equal(2, details.GetProperty("epochs").GetInt32());
        // The last epoch's evaluation is the final test accuracy: the same weights, the same 300 images.
        Assert.Equal(accuracy, details.GetProperty("epoch_test_accuracy")[1].GetDouble(), 1e-9);
        Assert.Equal(300, tuned.GetProperty("per_class").EnumerateArray().Sum(c => c.GetProperty("support").GetInt64()));
        Assert.Equal(10, tuned.GetProperty("confusion_matrix").GetArrayLength());
        var runDirectory = details.GetProperty("run_directory").GetString()!;
        var weights = Path.Combine(runDirectory, "model.pth");
        Assert.True(File.Exists(weights));
        var html = File.ReadAllText(report);
        Assert.Contains("Fine-tuning on mnist", html);
        Assert.Contains("The CNN lenet trained from scratch (2 epochs) reaches", html);

        // A second run finds the result and does not train again: the checkpoint is untouched.
        var checkpoint = Path.Combine(runDirectory, "checkpoint.bin");
        var written = File.GetLastWriteTimeUtc(checkpoint);
        StudyHost.Run(StudyFile.Load(dir.File("scratch.yaml")), options);
        Assert.Equal(written, File.GetLastWriteTimeUtc(checkpoint));
        Assert.Single(Results(dir), r => r.GetProperty("learner").GetString() == "fine-tune");

        // Those weights as a pretrained body: a linear probe (new head on cached features) keeps most of the accuracy.
        File.WriteAllText(dir.File("probe.yaml"), $"""
            name: probe
            datasets:
              - mnist: {"{"}train_subset: 1000, test_subset: 300{"}"}
            features: [pixels]
            learners: [lda]
            finetune: {"{"}model: lenet, weights: {weights}, epochs: 3, lr: 0.05, batch_size: 50{"}"}
            """);
        StudyHost.Run(StudyFile.Load(dir.File("probe.yaml")), options with { OutputDirectory = dir.File("run") });
        var probe = Results(dir).Single(r => r.GetProperty("feature").GetString() == "lenet fine-tuned (linear-probe)");
        Assert.InRange(probe.GetProperty("test_accuracy").GetDouble(), 0.8, 1.0);
    }

    [Fact]
    public void ShardsOfTheGridPlusReportEqualOneRun()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        File.WriteAllText(dir.File("e.yaml"), """
            name: sharded
            datasets:
              - mnist: {train_subset: 300, test_subset: 100}
            features: [pixels, {scattering: {J: 2}}]
            embeddings: {methods: [pca], samples: 100}
            learners:
              - lda
              - knn: {k: [1, 3]}
              - rf: {n_estimators: 10}
            cv: 2
            """);
        var plan = StudyFile.Load(dir.File("e.yaml"));
        StudyHost.Run(plan, new RunSettings(dir.File("whole"), data, dir.File("cache-whole")));
        // Three shards, each its own process in real use, sharing the run folder and the feature store.
        for (int i = 0; i < 3; i++) StudyHost.Run(plan, new RunSettings(dir.File("sharded"), data, dir.File("cache-sharded"), Shard: new Shard(i, 3)));
        StudyHost.Report(dir.File("sharded"), new RunSettings(dir.File("sharded"), data, dir.File("cache-sharded")));

        static string WithoutTimes(string file) => System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(file), "\"(fit|predict)_seconds\": [^,]+,", "");
        var whole = WithoutTimes(dir.File("whole/results.json"));
        Assert.Equal(6, JsonDocument.Parse(whole).RootElement.GetArrayLength()); // 2 feature sets x 3 learners
        Assert.Equal(whole, WithoutTimes(dir.File("sharded/results.json")));
        Assert.Equal(File.ReadAllBytes(dir.File("whole/embeddings/mnist-pixels-pca.npy")), File.ReadAllBytes(dir.File("sharded/embeddings/mnist-pixels-pca.npy")));
        Assert.Contains("data:image/png;base64,", File.ReadAllText(dir.File("sharded/report.html")));
    }

    static List<JsonElement> Results(TempDir dir) =>
        JsonDocument.Parse(File.ReadAllText(dir.File("run/results.json"))).RootElement.EnumerateArray().ToList();
}
