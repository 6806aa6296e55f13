namespace Deepscope.Learners.Evaluation;

/// <summary>Precision, recall, F1 and support of one class (one-vs-rest); 0 where undefined, as scikit-learn's zero_division=0.</summary>
public sealed record ClassScores(long Class, double Precision, double Recall, double F1, long Support);

/// <summary>
/// The usual classification figures from true and predicted labels: accuracy, the confusion matrix (rows true,
/// columns predicted, in <see cref="Classes"/> order), per-class precision/recall/F1, their macro average, the micro
/// F1 and, for two classes with scores, the ROC AUC.
/// </summary>
public sealed record ClassificationMetrics(long[] Classes, long[][] ConfusionMatrix, IReadOnlyList<ClassScores> PerClass, double Accuracy,
    double MacroPrecision, double MacroRecall, double MacroF1, double MicroF1, double WeightedF1, double? RocAuc)
{
    public long Count => ConfusionMatrix.Sum(r => r.Sum());

    /// <summary>Metrics of class indices (tensors (N) int64) over the classes 0..<paramref name="classCount"/>-1, seen or not.</summary>
    public static ClassificationMetrics Compute(TorchSharp.torch.Tensor truth, TorchSharp.torch.Tensor predicted, int classCount) =>
        Compute(Longs(truth), Longs(predicted), Enumerable.Range(0, classCount).Select(c => (long)c).ToArray());

    static long[] Longs(TorchSharp.torch.Tensor t)
    {
        using var flat = t.to_type(TorchSharp.torch.ScalarType.Int64).cpu().contiguous().view(-1);
        return flat.data<long>().ToArray();
    }

    /// <param name="classes">The label set to report (default: the labels seen in either argument, ascending).</param>
    /// <param name="positiveScores">For two classes: a score per row for the second (higher) class, giving the ROC AUC.</param>
    public static ClassificationMetrics Compute(long[] truth, long[] predicted, long[]? classes = null, double[]? positiveScores = null)
    {
        if (truth.Length != predicted.Length) throw new DeepscopeException($"{truth.Length} true labels but {predicted.Length} predictions");
        if (truth.Length == 0) throw new DeepscopeException("no predictions to evaluate");
        classes ??= truth.Concat(predicted).Distinct().Order().ToArray();
        var position = new Dictionary<long, int>();
        for (int i = 0; i < classes.Length; i++) position[classes[i]] = i;
        int k = classes.Length;
        var confusion = Enumerable.Range(0, k).Select(_ => new long[k]).ToArray();
        for (int i = 0; i < truth.Length; i++)
        {
            if (!position.TryGetValue(truth[i], out int t) || !position.TryGetValue(predicted[i], out int p))
                throw new DeepscopeException($"label {(position.ContainsKey(truth[i]) ? predicted[i] : truth[i])} is not among the classes {string.Join(", ", classes)}");
            confusion[t][p]++;
        }
        var perClass = new List<ClassScores>(k);
        long correct = 0, total = truth.Length;
        for (int c = 0; c < k; c++)
        {
            long tp = confusion[c][c], support = confusion[c].Sum(), predictedAs = confusion.Sum(r => r[c]);
            correct += tp;
            double precision = predictedAs > 0 ? (double)tp / predictedAs : 0, recall = support > 0 ? (double)tp / support : 0;
            perClass.Add(new ClassScores(classes[c], precision, recall, F1(precision, recall), support));
        }
        double accuracy = (double)correct / total;
        double? auc = null;
        if (positiveScores != null)
        {
            if (k != 2) throw new DeepscopeException($"ROC AUC needs exactly two classes; got {k}");
            if (positiveScores.Length != truth.Length) throw new DeepscopeException($"{positiveScores.Length} scores for {truth.Length} labels");
            auc = ComputeRocAuc(truth.Select(t => t == classes[1]).ToArray(), positiveScores);
        }
        return new ClassificationMetrics(classes, confusion, perClass, accuracy,
            perClass.Average(s => s.Precision), perClass.Average(s => s.Recall), perClass.Average(s => s.F1),
            // Single-label: micro precision = micro recall = accuracy, so micro F1 is accuracy.
            accuracy, perClass.Sum(s => s.F1 * s.Support) / total, auc);
    }

    static double F1(double precision, double recall) => precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;

    /// <summary>
    /// Area under the ROC curve: the probability that a random positive scores above a random negative, ties
    /// counting one half (Mann-Whitney U with mid-ranks).
    /// </summary>
    public static double ComputeRocAuc(bool[] positive, double[] scores)
    {
        if (positive.Length != scores.Length) throw new DeepscopeException($"{scores.Length} scores for {positive.Length} labels");
        long positives = positive.Count(p => p), negatives = positive.Length - positives;
        if (positives == 0 || negatives == 0) throw new DeepscopeException("ROC AUC is undefined when only one class is present");
        return Training.Metrics.RocAucMetric.MannWhitneyAuc([.. scores.Zip(positive)]);
    }
}
