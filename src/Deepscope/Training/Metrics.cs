using System.Text.Json;
using System.Text.Json.Serialization;
using Deepscope.IO;
using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>Precision, recall, F1 and support of one class (scikit-learn's definitions; 0 when undefined).</summary>
public sealed record ClassMetrics(
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("precision")] double Precision,
    [property: JsonPropertyName("recall")] double Recall,
    [property: JsonPropertyName("f1")] double F1,
    [property: JsonPropertyName("support")] long Support);

/// <summary>
/// Classification metrics as Deepscope writes them: accuracy (a fraction), the confusion matrix (rows are true classes,
/// columns predicted, as scikit-learn's confusion_matrix) and per-class precision, recall, F1 and support.
/// </summary>
public sealed record ClassificationMetrics(
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("classes")] IReadOnlyList<string> Classes,
    [property: JsonPropertyName("confusion_matrix")] long[][] ConfusionMatrix,
    [property: JsonPropertyName("per_class")] IReadOnlyList<ClassMetrics> PerClass)
{
    /// <summary>Metrics of predicted against true class indices (both (N) int64).</summary>
    public static ClassificationMetrics Compute(Tensor predicted, Tensor truth, IReadOnlyList<string> classes)
    {
        if (predicted.shape.Length != 1 || !predicted.shape.SequenceEqual(truth.shape))
            throw new ArgumentException($"predictions ({string.Join(", ", predicted.shape)}) and labels ({string.Join(", ", truth.shape)}) must be (N) vectors of one length");
        int k = classes.Count;
        using var pairs = truth.to_type(ScalarType.Int64).mul(k).add_(predicted.to_type(ScalarType.Int64));
        using var counts = bincount(pairs, minlength: k * k);
        var flat = counts.data<long>().ToArray();
        if (flat.Length != k * k) throw new ArgumentException($"labels or predictions fall outside the {k} classes");
        var matrix = Enumerable.Range(0, k).Select(i => flat[(i * k)..((i + 1) * k)]).ToArray();
        long total = flat.Sum(), correct = Enumerable.Range(0, k).Sum(i => matrix[i][i]);
        var perClass = Enumerable.Range(0, k).Select(c =>
        {
            long tp = matrix[c][c], support = matrix[c].Sum(), predictedCount = matrix.Sum(row => row[c]);
            double precision = predictedCount == 0 ? 0 : tp / (double)predictedCount;
            double recall = support == 0 ? 0 : tp / (double)support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            return new ClassMetrics(classes[c], precision, recall, f1, support);
        }).ToList();
        return new ClassificationMetrics(total == 0 ? 0 : correct / (double)total, total, classes, matrix, perClass);
    }

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Writes the metrics JSON atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, ToJson());
}
