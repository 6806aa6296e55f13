using System.Text.Json;
using Deepscope.IO;
using Deepscope.Tests.Support;
using static Deepscope.Tests.Learners.LearnerFixtures;

namespace Deepscope.Tests.Learners;

/// <summary><c>classify --seed</c> seeds the learners that draw random numbers, and repeats their results.</summary>
public class ClassifySeedCliTests
{
    static (double Accuracy, JsonElement Params) Run(TempDir dir, string model, params string[] extra)
    {
        var (exit, _, stderr) = CliRunner.Run([
            "classify", "--features-dir", dir.Path, "--model", model, "--param", "n_estimators=5", "--param", "max_features=1",
            "--output", dir.File("m.json"), .. extra]);
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File("m.json")));
        return (doc.RootElement.GetProperty("accuracy").GetDouble(), doc.RootElement.GetProperty("params").Clone());
    }

    [Fact]
    public void Seed_reaches_the_forest_unless_its_own_seed_is_given()
    {
        using var dir = new TempDir();
        var (x, y, t, yt) = Blobs();
        Npy.Write(dir.File("train_features.npy"), x);
        Npy.Write(dir.File("train_labels.npy"), y);
        Npy.Write(dir.File("test_features.npy"), t);
        Npy.Write(dir.File("test_labels.npy"), yt);

        var first = Run(dir, "rf", "--seed", "7");
        Assert.Equal("7", first.Params.GetProperty("seed").GetString());
        Assert.Equal(first.Accuracy, Run(dir, "rf", "--seed", "7").Accuracy);
        // 5 trees on one random feature per split: different seeds grow different forests.
        var accuracies = Enumerable.Range(0, 6).Select(s => Run(dir, "rf", "--seed", s.ToString()).Accuracy).Distinct().Count();
        Assert.True(accuracies > 1, "every seed gave the same accuracy: --seed does not reach the forest");
        Assert.Equal("3", Run(dir, "rf", "--seed", "7", "--param", "seed=3").Params.GetProperty("seed").GetString());
    }
}
