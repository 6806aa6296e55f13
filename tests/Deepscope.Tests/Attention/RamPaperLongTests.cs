using Deepscope.Data;
using Deepscope.Models.Attention;
using Deepscope.Studies.Attention;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Attention;

/// <summary>The paper's targets (Mnih et al., NIPS 2014), each a full training run: hours on 2 cores.</summary>
[Trait(Category.Name, Category.Long)]
public sealed class RamPaperLongTests(ITestOutputHelper output) : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("deepscope-ram-long-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    AttentionMetrics TrainAndTest(AttentionRunOptions options, string name)
    {
        var store = new DatasetStore(SharedData.Require("mnist"), allowDownload: false);
        var folder = Path.Combine(_root, name);
        var result = AttentionRun.Train(options, seed: 0, store, folder);
        var metrics = AttentionRun.Evaluate(folder, store);
        output.WriteLine($"{options.Describe()} on {options.Task.Describe()}: test error {100 * metrics.Error:F2}% "
            + $"(best epoch {result.BestEpoch}/{options.Epochs}, {result.TrainingSeconds / 60:F1} min)");
        return metrics;
    }

    [Fact]
    public void Mnist_six_glimpses_of_8x8_reach_1_3_percent_test_error()
    {
        var metrics = TrainAndTest(new AttentionRunOptions { Epochs = 100 }, "mnist");
        Assert.True(metrics.Error <= 0.013, $"test error {metrics.Error:P2} (paper 1.12%)");
    }

    [Fact]
    public void Translated_60x60_six_glimpses_of_12x12_at_3_scales_reach_2_percent()
    {
        var options = new AttentionRunOptions
        {
            Task = new DigitTaskOptions { Dataset = DigitDataset.TranslatedMnist, Size = 60 },
            Ram = new RamOptions { Patch = 12, Scales = 3, LocatorHidden = 128 }, Epochs = 500,
        };
        var metrics = TrainAndTest(options, "translated");
        Assert.True(metrics.Error <= 0.02, $"test error {metrics.Error:P2} (paper 1.22%)");
    }

    [Fact]
    public void Cluttered_60x60_reaches_6_percent_and_the_learned_policy_beats_random_glimpses_by_5_points()
    {
        var options = new AttentionRunOptions
        {
            Task = new DigitTaskOptions { Dataset = DigitDataset.ClutteredMnist, Size = 60, Distractors = 4 },
            Ram = new RamOptions { Patch = 12, Scales = 3, LocatorHidden = 128 }, Epochs = 500,
        };
        var learned = TrainAndTest(options, "cluttered");
        var random = TrainAndTest(options with { Model = AttentionModel.RamRandom }, "cluttered-random");
        Assert.True(learned.Error <= 0.06, $"test error {learned.Error:P2} (paper 4.08%)");
        Assert.True(random.Error - learned.Error >= 0.05, $"learned {learned.Error:P2} against random glimpses {random.Error:P2}");
    }
}
