using Deepscope.Training.Metrics;

namespace Deepscope.Tests.Inspection;

/// <summary>The inspection study's scores: AUC (the golden values), its bootstrap interval, ROC and PR curves.</summary>
public sealed class InspectionMetricsTests
{
    static List<(double, bool)> Examples(double[] scores, int[] labels) => [.. scores.Zip(labels, (s, l) => (s, l == 1))];

    [Fact]
    public void Auc_golden_values_and_ties_count_one_half()
    {
        Assert.Equal(0.75, RocAucMetric.MannWhitneyAuc(Examples([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])), 12);
        Assert.Equal(0.5, RocAucMetric.MannWhitneyAuc(Examples([0.3, 0.3, 0.3, 0.3], [0, 0, 1, 1])), 12);
        Assert.Equal(0.5, RocAucMetric.MannWhitneyAuc(Examples([0.7, 0.7], [0, 1])), 12);
    }

    [Fact]
    public void Roc_and_precision_recall_points_match_scikit_learn()
    {
        // roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], drop_intermediate=False): fpr 0, 0, .5, .5, 1; tpr 0, .5, .5, 1, 1.
        var points = BinaryCurves.Points(Examples([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]));
        Assert.Equal([double.PositiveInfinity, 0.8, 0.4, 0.35, 0.1], points.Select(p => p.Threshold));
        Assert.Equal([0, 0, 0.5, 0.5, 1], points.Select(p => p.FalsePositiveRate));
        Assert.Equal([0, 0.5, 0.5, 1, 1], points.Select(p => p.Recall));
        // average_precision_score of the same = 0.8333...
        Assert.Equal(5 / 6.0, BinaryCurves.AveragePrecision(Examples([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])), 12);
        var at = BinaryCurves.At(Examples([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.35);
        Assert.Equal((2L, 1L, 0L, 1L), (at.TruePositives, at.FalsePositives, at.FalseNegatives, at.TrueNegatives));
    }

    [Fact]
    public void Bootstrap_interval_holds_the_auc_is_seeded_and_narrows_with_more_examples()
    {
        var random = new Random(1);
        List<(double, bool)> Draw(int n) => [.. Enumerable.Range(0, n).Select(i => (random.NextDouble() + (i % 2 == 0 ? 0.4 : 0), i % 2 == 0))];
        var small = Draw(60);
        var large = Draw(2000);
        var (low, high) = RocAucMetric.BootstrapInterval(small, 500, seed: 3);
        double auc = RocAucMetric.MannWhitneyAuc(small);
        Assert.InRange(auc, low, high);
        Assert.Equal((low, high), RocAucMetric.BootstrapInterval(small, 500, seed: 3));
        var (largeLow, largeHigh) = RocAucMetric.BootstrapInterval(large, 500, seed: 3);
        Assert.True(largeHigh - largeLow < (high - low) / 3, $"interval {largeLow}-{largeHigh} vs {low}-{high}");
        // True AUC of U(0.4, 1.4) against U(0, 1): 1 - 0.6^2 / 2 = 0.82; a 95% interval of 2,000 examples holds it.
        Assert.InRange(0.82, largeLow, largeHigh);
    }
}
