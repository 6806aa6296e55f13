using Deepscope.Text;
using Deepscope.Training.Metrics;

namespace Deepscope.Tests.Text;

public class OfficialMetricTests
{
    /// <summary>The golden figures over (others, happy, sad, angry), computed as the official SemEval-2019 Task 3 script does.</summary>
    [Fact]
    public void MatchesTheOfficialScriptOnTheGoldenCounts()
    {
        var counts = new ClassCounts([4250, 143, 162, 245], [222, 84, 145, 258], [427, 141, 88, 53]);
        var scores = F1Scores.From(counts, excluded: EmoContextFile.OthersClass);
        Assert.Equal(0.5886, scores.MicroF1, 4);
        Assert.Equal(0.5981, scores.MacroF1, 4);
        Assert.Equal(550.0 / (550 + 487), scores.MicroPrecision, 12);
        Assert.Equal(550.0 / (550 + 282), scores.MicroRecall, 12);
        Assert.Equal((143.0 / 227 + 162.0 / 307 + 245.0 / 503) / 3, scores.MacroPrecision, 12);
        Assert.Equal(143.0 / 284, scores.Recall[1], 12);
    }

    [Fact]
    public void CountsFromLabelsAgreeWithTheTrainerMetric()
    {
        long[] truth = [0, 0, 1, 1, 2, 3, 3, 0, 2, 1];
        long[] predicted = [0, 1, 1, 0, 2, 3, 2, 3, 2, 1];
        var scores = ThresholdCalibration.Score(truth, predicted);
        // happy: tp 2 fp 1 fn 1; sad: tp 2 fp 1 fn 0; angry: tp 1 fp 1 fn 1 -> micro P 5/8, R 5/7
        double p = 5.0 / 8, r = 5.0 / 7;
        Assert.Equal(2 * p * r / (p + r), scores.MicroF1, 12);

        var metric = new MicroF1Metric(4, excludedClass: 0);
        using var logits = TorchSharp.torch.nn.functional.one_hot(TorchSharp.torch.tensor(predicted), 4).to_type(TorchSharp.torch.ScalarType.Float32);
        using var labels = TorchSharp.torch.tensor(truth);
        metric.Update(logits, new Deepscope.Data.Sources.Batch(new Dictionary<string, TorchSharp.torch.Tensor> { ["label"] = labels }));
        Assert.Equal(scores.MicroF1, metric.Compute(), 12);
    }

    [Fact]
    public void NoPredictedEmotionScoresZeroNotNaN()
    {
        var scores = ThresholdCalibration.Score([1, 2, 3, 0], [0, 0, 0, 0]);
        Assert.Equal(0, scores.MicroF1);
        Assert.Equal(0, scores.MacroF1);
    }
}
