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

    static List<JsonElement> Results(TempDir dir) =>
        JsonDocument.Parse(File.ReadAllText(dir.File("run/results.json"))).RootElement.EnumerateArray().ToList();
}
