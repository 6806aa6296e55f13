namespace Deepscope.Training.Metrics;

/// <summary>One threshold of a binary score: examples scoring at or above it are called positive.</summary>
public sealed record OperatingPoint(double Threshold, long TruePositives, long FalsePositives, long FalseNegatives, long TrueNegatives)
{
    public double FalsePositiveRate => FalsePositives + TrueNegatives == 0 ? double.NaN : FalsePositives / (double)(FalsePositives + TrueNegatives);
    public double Recall => TruePositives + FalseNegatives == 0 ? double.NaN : TruePositives / (double)(TruePositives + FalseNegatives);
    /// <summary>1 when nothing is called positive (scikit-learn's convention at the curve's start).</summary>
    public double Precision => TruePositives + FalsePositives == 0 ? 1 : TruePositives / (double)(TruePositives + FalsePositives);
}

/// <summary>
/// The ROC and precision-recall curves of a binary score, as scikit-learn's <c>roc_curve</c> and
/// <c>precision_recall_curve</c> compute them: one point per distinct score (tied scores move together), from the
/// highest threshold down, plus the point where nothing is called positive.
/// </summary>
public static class BinaryCurves
{
    /// <summary>Every operating point, thresholds descending; the first calls nothing positive (threshold +infinity).</summary>
    public static IReadOnlyList<OperatingPoint> Points(IReadOnlyList<(double Score, bool Positive)> examples)
    {
        var sorted = examples.OrderByDescending(e => e.Score).ToList();
        long positives = sorted.LongCount(e => e.Positive), negatives = sorted.Count - positives;
        var points = new List<OperatingPoint> { new(double.PositiveInfinity, 0, 0, positives, negatives) };
        long tp = 0, fp = 0;
        for (int i = 0; i < sorted.Count;)
        {
            double score = sorted[i].Score;
            for (; i < sorted.Count && sorted[i].Score == score; i++)
                if (sorted[i].Positive) tp++; else fp++;
            points.Add(new OperatingPoint(score, tp, fp, positives - tp, negatives - fp));
        }
        return points;
    }

    /// <summary>The counts when examples scoring at or above <paramref name="threshold"/> are called positive.</summary>
    public static OperatingPoint At(IReadOnlyList<(double Score, bool Positive)> examples, double threshold)
    {
        long tp = examples.LongCount(e => e.Positive && e.Score >= threshold), fp = examples.LongCount(e => !e.Positive && e.Score >= threshold);
        long positives = examples.LongCount(e => e.Positive);
        return new OperatingPoint(threshold, tp, fp, positives - tp, examples.Count - positives - fp);
    }

    /// <summary>
    /// Average precision: the sum over thresholds of precision times the recall gained there (scikit-learn's
    /// <c>average_precision_score</c>, no interpolation).
    /// </summary>
    public static double AveragePrecision(IReadOnlyList<(double Score, bool Positive)> examples)
    {
        var points = Points(examples);
        double ap = 0;
        for (int i = 1; i < points.Count; i++) ap += (points[i].Recall - points[i - 1].Recall) * points[i].Precision;
        return ap;
    }
}
