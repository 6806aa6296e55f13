using System.Text.Json;
using Deepscope.Experiments;
using Deepscope.Studies;
using Deepscope.Tests.Studies;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Generalization;

/// <summary>
/// The issue's paper targets, each a study run into a folder under the temp directory that is kept between attempts, so
/// a run killed after hours resumes from its last epoch checkpoint. Hours on 2 CPU cores.
/// </summary>
[Collection(StudyCatalogCollection.Name)]
[Trait(Category.Name, Category.Long)]
public class GeneralizationTargetTests
{
    static List<JsonElement> Run(string name, string options)
    {
        var data = SharedData.Require("cifar10");
        var folder = Path.Combine(Path.GetTempPath(), "deepscope-generalization-targets", name);
        Directory.CreateDirectory(folder);
        // Nothing of table 1 or the sweep unless the options name it.
        var defaults = string.Concat(new[] { "table_models", "sweep_widths", "sweep_resnet_widths" }.Where(k => !options.Contains(k + ":")).Select(k => $"{k}: []\n"));
        File.WriteAllText(Path.Combine(folder, "study.yaml"), $"study: generalization\nseed: 0\ndata_dir: {data}\n{defaults}{options}");
        StudyHost.Run(StudyFile.Load(Path.Combine(folder, "study.yaml")), new RunSettings(Path.Combine(folder, "run"), CacheDirectory: Path.Combine(folder, "cache")));
        return [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "run", "results.json"))).RootElement.EnumerateArray()];
    }

    static double LastEpoch(JsonElement run, string metric) => run.GetProperty("epochs").EnumerateArray().Last().GetProperty(metric).GetDouble();

    [Fact]
    public void Mlp1x512FitsRandomLabelsOfAllCifar10()
    {
        // Paper: 99.34% training accuracy, 10.61% test accuracy.
        var run = Run("mlp-random-labels", "randomization_models: [mlp-1x512]\nrandomizations: [random-labels]\nepochs: 300\nfit_threshold: 0.99\n").Single();
        Assert.True(LastEpoch(run, "train_accuracy") >= 0.99, $"training accuracy {LastEpoch(run, "train_accuracy")}");
        Assert.InRange(LastEpoch(run, "test_accuracy"), 0.085, 0.115);
    }

    [Fact]
    public void AlexNetSmallFitsEveryRandomizationOfA10kSubset()
    {
        // The rate decays x0.95 per 20,000 images: per epoch, random pixels stall; per 50,000 images, label noise stays short.
        var runs = Run("alexnet-10k-decay-20k", "train_subset: 10000\nrandomization_models: [alexnet-small]\nepochs: 200\nfit_threshold: 1.0\nlearning_rate_decay_images: 20000\n");
        Assert.All(runs, r => Assert.True(r.GetProperty("steps_to_fit").ValueKind == JsonValueKind.Number, $"{r.GetProperty("cell")} did not fit"));
        long Steps(string randomization) => runs.Single(r => r.GetProperty("cell").GetProperty("randomization").GetString() == randomization).GetProperty("steps_to_fit").GetInt64();
        long[] byNoise = [Steps("true-labels"), Steps("labels:0.2"), Steps("labels:0.4"), Steps("labels:0.6"), Steps("labels:0.8"), Steps("random-labels")];
        Assert.True(byNoise.Zip(byNoise.Skip(1)).All(p => p.Second >= p.First), $"steps to fit do not grow with p: {string.Join(", ", byNoise)}");
        Assert.InRange(byNoise[^1] / (double)byNoise[0], 1, 10);  // random labels within a small constant factor of true labels
    }

    [Fact]
    public void AlexNetSmallWithoutRegularisersReaches74PercentOnCifar10()
    {
        // Paper: 76.07%.
        var run = Run("alexnet-full", "randomization_models: [alexnet-small]\nrandomizations: [true-labels]\nepochs: 100\n").Single();
        Assert.True(LastEpoch(run, "test_accuracy") >= 0.74, $"test accuracy {LastEpoch(run, "test_accuracy")}");
    }

    [Fact]
    public void WidthCnnsPastInterpolationKeepTestErrorWhileTestCrossEntropyRises()
    {
        // Poggio et al.'s figure 7 with a long budget on 1,000 images: experiments/generalization-sweep-long.yaml without its
        // ResNets. The issue's target, not met when these settings ran in session 18 (docs/generalization.md): test error
        // falls past interpolation, but test cross-entropy peaks one size past it and then falls with width.
        var runs = Run("sweep-long", "train_subset: 1000\ntest_subset: 1000\nrandomization_models: []\nsweep_widths: [4, 6, 8, 12, 16, 24, 32, 48, 64]\n" +
            "sweep_epochs: 300\nsweep_stop_at_fit: false\nlearning_rate_decay: 0.99\nfit_threshold: 1.0\n")
            .OrderBy(r => r.GetProperty("parameters").GetInt64()).ToList();
        int first = runs.FindIndex(r => r.GetProperty("fitted").GetBoolean());
        Assert.True(first >= 0 && first <= runs.Count - 3, $"interpolation at size index {first} of {runs.Count}");
        var (atFit, largest) = (runs[first], runs[^1]);
        Assert.True(LastEpoch(largest, "test_accuracy") >= LastEpoch(atFit, "test_accuracy") - 0.01, "test error rises past interpolation");
        Assert.True(LastEpoch(largest, "test_loss") > LastEpoch(atFit, "test_loss"), "test cross-entropy does not rise past interpolation");
    }
}
