using Deepscope.Data.Sources;
using static TorchSharp.torch;

namespace Deepscope.Training.Metrics;

/// <summary>A metric of the confusion matrix (rows: true class, columns: argmax prediction) accumulated over the set.</summary>
public abstract class ConfusionMetric(int classes, string field) : IMetric
{
    protected readonly int Classes = classes >= 2 ? classes : throw new DeepscopeException($"a class metric needs at least 2 classes, got {classes}");
    long[] _counts = new long[classes * classes];

    public abstract string Name { get; }
    public bool HigherIsBetter => true;

    public void Reset() => _counts = new long[Classes * Classes];

    public void Update(Tensor output, Batch batch)
    {
        using var scope = NewDisposeScope();
        var truth = batch[field].flatten();
        var predicted = output.argmax(1).flatten();
        var counts = (truth * Classes + predicted).bincount(null, Classes * Classes);
        var added = counts.data<long>().ToArray();
        if (added.Length != _counts.Length) throw new DeepscopeException($"{Name}: class indices beyond the {Classes} classes in '{field}'");
        for (int i = 0; i < added.Length; i++) _counts[i] += added[i];
    }

    public double Compute() => Compute((t, p) => _counts[t * Classes + p]);

    /// <summary>The value from the confusion count of (true, predicted).</summary>
    protected abstract double Compute(Func<int, int, long> confusion);

    protected (long TruePositives, long FalsePositives, long FalseNegatives) Counts(Func<int, int, long> confusion, int c)
    {
        long tp = confusion(c, c), predicted = 0, actual = 0;
        for (int k = 0; k < Classes; k++) (predicted, actual) = (predicted + confusion(k, c), actual + confusion(c, k));
        return (tp, predicted - tp, actual - tp);
    }
}

/// <summary>
/// Mean intersection over union of argmax predictions (per pixel for (N, K, H, W) against a mask): per class
/// TP / (TP + FP + FN), averaged over the classes that occur in the truth or the predictions.
/// </summary>
public sealed class IouMetric(int classes, string field = Fields.Mask) : ConfusionMetric(classes, field)
{
    public override string Name => "iou";

    protected override double Compute(Func<int, int, long> confusion)
    {
        var perClass = Enumerable.Range(0, Classes).Select(c => Counts(confusion, c))
            .Where(c => c.TruePositives + c.FalsePositives + c.FalseNegatives > 0)
            .Select(c => c.TruePositives / (double)(c.TruePositives + c.FalsePositives + c.FalseNegatives)).ToList();
        return perClass.Count == 0 ? double.NaN : perClass.Average();
    }
}

/// <summary>
/// Micro-averaged F1: true positives, false positives and false negatives summed over classes, then
/// 2PR / (P + R). With <paramref name="excludedClass"/> that class's counts are left out, as EmoContext's official
/// metric (SemEval-2019 task 3) leaves out "others": predictions of it are then neither true nor false positives.
/// </summary>
public sealed class MicroF1Metric(int classes, int? excludedClass = null, string field = Fields.Label) : ConfusionMetric(classes, field)
{
    public override string Name => "micro_f1";

    protected override double Compute(Func<int, int, long> confusion) => F1Scores.From(ClassCounts.Of(confusion, Classes), excludedClass).MicroF1;
}

/// <summary>Per-class true positives, false positives and false negatives.</summary>
public sealed record ClassCounts(long[] TruePositives, long[] FalsePositives, long[] FalseNegatives)
{
    public int Classes => TruePositives.Length;

    /// <summary>The counts of a confusion matrix given as the count of (true, predicted).</summary>
    public static ClassCounts Of(Func<int, int, long> confusion, int classes)
    {
        var (tp, fp, fn) = (new long[classes], new long[classes], new long[classes]);
        for (int c = 0; c < classes; c++)
            for (int k = 0; k < classes; k++)
            {
                if (k == c) tp[c] = confusion(c, c);
                else (fp[c], fn[c]) = (fp[c] + confusion(k, c), fn[c] + confusion(c, k));
            }
        return new ClassCounts(tp, fp, fn);
    }

    /// <summary>The counts of predicted against true class indices.</summary>
    public static ClassCounts Of(IReadOnlyList<long> truth, IReadOnlyList<long> predicted, int classes)
    {
        if (truth.Count != predicted.Count) throw new ArgumentException($"{truth.Count} labels but {predicted.Count} predictions");
        var confusion = new long[classes, classes];
        for (int i = 0; i < truth.Count; i++) confusion[truth[i], predicted[i]]++;
        return Of((t, p) => confusion[t, p], classes);
    }
}

/// <summary>
/// F1 scores as EmoContext's official script (SemEval-2019 task 3) defines them, over the classes other than
/// <c>Excluded</c>: micro precision, recall and F1 from the summed counts; macro precision and recall as the means of
/// the per-class ones and macro F1 as their harmonic mean (not the mean of per-class F1s). A ratio with a zero
/// denominator counts 0, as in the script.
/// </summary>
public sealed record F1Scores(double MicroPrecision, double MicroRecall, double MicroF1, double MacroPrecision, double MacroRecall, double MacroF1,
    double[] Precision, double[] Recall, double[] F1)
{
    public static F1Scores From(ClassCounts counts, int? excluded = null)
    {
        int k = counts.Classes;
        var (precision, recall, f1) = (new double[k], new double[k], new double[k]);
        long tp = 0, fp = 0, fn = 0;
        for (int c = 0; c < k; c++)
        {
            precision[c] = Ratio(counts.TruePositives[c], counts.TruePositives[c] + counts.FalsePositives[c]);
            recall[c] = Ratio(counts.TruePositives[c], counts.TruePositives[c] + counts.FalseNegatives[c]);
            f1[c] = Harmonic(precision[c], recall[c]);
            if (c == excluded) continue;
            (tp, fp, fn) = (tp + counts.TruePositives[c], fp + counts.FalsePositives[c], fn + counts.FalseNegatives[c]);
        }
        var scored = Enumerable.Range(0, k).Where(c => c != excluded).ToList();
        double microP = Ratio(tp, tp + fp), microR = Ratio(tp, tp + fn);
        double macroP = scored.Average(c => precision[c]), macroR = scored.Average(c => recall[c]);
        return new F1Scores(microP, microR, Harmonic(microP, microR), macroP, macroR, Harmonic(macroP, macroR), precision, recall, f1);
    }

    static double Ratio(long a, long b) => b == 0 ? 0 : a / (double)b;
    static double Harmonic(double p, double r) => p + r == 0 ? 0 : 2 * p * r / (p + r);
}

/// <summary>
/// Area under the ROC curve of a binary problem from the Mann-Whitney U statistic: the probability that a positive
/// example scores above a negative one, ties counting 1/2. Scores: the output itself for (N) or (N, 1), the softmax
/// probability of <paramref name="positiveClass"/> for logits (N, K). NaN when one of the two classes is absent.
/// </summary>
public sealed class RocAucMetric(long positiveClass = 1, string field = Fields.Label) : IMetric
{
    readonly List<(double Score, bool Positive)> _examples = [];

    public string Name => "roc_auc";
    public bool HigherIsBetter => true;

    public void Reset() => _examples.Clear();

    public void Update(Tensor output, Batch batch)
    {
        using var scope = NewDisposeScope();
        var scores = output.dim() == 2 && output.shape[1] > 1 ? output.softmax(1).select(1, positiveClass) : output.flatten();
        var s = scores.to_type(ScalarType.Float64).data<double>().ToArray();
        var positive = batch[field].flatten().eq(positiveClass).data<bool>().ToArray();
        for (int i = 0; i < s.Length; i++) _examples.Add((s[i], positive[i]));
    }

    public double Compute() => MannWhitneyAuc(_examples);

    public static double MannWhitneyAuc(IReadOnlyList<(double Score, bool Positive)> examples)
    {
        var sorted = examples.OrderBy(e => e.Score).ToList();
        long positives = sorted.LongCount(e => e.Positive), negatives = sorted.Count - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        double positiveRanks = 0;
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j < sorted.Count && sorted[j].Score == sorted[i].Score) j++;
            double midrank = (i + 1 + j) / 2.0;  // ranks i+1..j share their mean
            for (int k = i; k < j; k++) if (sorted[k].Positive) positiveRanks += midrank;
            i = j;
        }
        return (positiveRanks - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>
    /// A percentile bootstrap interval of the AUC: <paramref name="resamples"/> resamples of the examples with
    /// replacement, stratified (positives and negatives drawn separately, so every resample has both), seeded; the
    /// interval holds the central <paramref name="confidence"/> of their AUCs.
    /// </summary>
    public static (double Low, double High) BootstrapInterval(IReadOnlyList<(double Score, bool Positive)> examples, int resamples = 1000,
        double confidence = 0.95, long seed = 0)
    {
        if (resamples < 2) throw new DeepscopeException($"a bootstrap needs at least 2 resamples, got {resamples}");
        if (confidence is <= 0 or >= 1) throw new DeepscopeException($"confidence must be in (0, 1), got {confidence}");
        var positives = examples.Where(e => e.Positive).ToArray();
        var negatives = examples.Where(e => !e.Positive).ToArray();
        if (positives.Length == 0 || negatives.Length == 0) return (double.NaN, double.NaN);
        var random = new Random(unchecked((int)Numerics.SplitMix64.Derive((ulong)seed)));
        var aucs = new double[resamples];
        var sample = new (double, bool)[examples.Count];
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < positives.Length; i++) sample[i] = positives[random.Next(positives.Length)];
            for (int i = 0; i < negatives.Length; i++) sample[positives.Length + i] = negatives[random.Next(negatives.Length)];
            aucs[r] = MannWhitneyAuc(sample);
        }
        Array.Sort(aucs);
        double tail = (1 - confidence) / 2;
        return (Quantile(aucs, tail), Quantile(aucs, 1 - tail));
    }

    /// <summary>Linear interpolation between order statistics (numpy's default percentile).</summary>
    static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
