using System.Text;
using System.Text.Json;
using Deepscope.IO;

namespace Deepscope.Learners.Evaluation;

/// <summary>
/// The metrics JSON every evaluating command writes (<c>deepscope classify</c>, <c>deepscope evaluate</c>): a header
/// of the caller's fields (model, params, timings...) then <c>accuracy</c> (a fraction), <c>macro_f1</c>,
/// <c>micro_f1</c>, <c>weighted_f1</c>, <c>roc_auc</c> (two classes with scores), <c>classes</c>,
/// <c>confusion_matrix</c> (rows true, columns predicted) and <c>per_class</c> (class, name, precision, recall,
/// f1, support). Written atomically.
/// </summary>
public static class MetricsJson
{
    /// <param name="header">Writes the caller's properties first (e.g. model, params, fit_seconds).</param>
    /// <param name="trailer">Writes further properties after the metrics (e.g. folds, group vote).</param>
    /// <param name="classNames">Names of the classes, in <see cref="ClassificationMetrics.Classes"/> order.</param>
    public static void Write(string path, ClassificationMetrics metrics, Action<Utf8JsonWriter>? header = null,
        IReadOnlyList<string>? classNames = null, Action<Utf8JsonWriter>? trailer = null) =>
        AtomicFile.WriteAllText(path, ToJson(metrics, header, classNames, trailer));

    public static string ToJson(ClassificationMetrics metrics, Action<Utf8JsonWriter>? header = null,
        IReadOnlyList<string>? classNames = null, Action<Utf8JsonWriter>? trailer = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            header?.Invoke(json);
            WriteMetrics(json, metrics, classNames);
            trailer?.Invoke(json);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The metric properties alone, into an object the caller has opened (for nesting, e.g. a group vote).</summary>
    public static void WriteMetrics(Utf8JsonWriter json, ClassificationMetrics metrics, IReadOnlyList<string>? classNames = null)
    {
        if (classNames != null && classNames.Count != metrics.Classes.Length)
            throw new ArgumentException($"{classNames.Count} class names for {metrics.Classes.Length} classes", nameof(classNames));
        json.WriteNumber("accuracy", metrics.Accuracy);
        json.WriteNumber("macro_f1", metrics.MacroF1);
        json.WriteNumber("micro_f1", metrics.MicroF1);
        json.WriteNumber("weighted_f1", metrics.WeightedF1);
        json.WriteNumber("macro_precision", metrics.MacroPrecision);
        json.WriteNumber("macro_recall", metrics.MacroRecall);
        if (metrics.RocAuc is double auc) json.WriteNumber("roc_auc", auc);
        json.WriteNumber("count", metrics.Count);
        json.WriteStartArray("classes");
        foreach (var c in metrics.Classes) json.WriteNumberValue(c);
        json.WriteEndArray();
        if (classNames != null)
        {
            json.WriteStartArray("class_names");
            foreach (var name in classNames) json.WriteStringValue(name);
            json.WriteEndArray();
        }
        json.WriteStartArray("confusion_matrix");
        foreach (var row in metrics.ConfusionMatrix)
        {
            json.WriteStartArray();
            foreach (var v in row) json.WriteNumberValue(v);
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteStartArray("per_class");
        for (int c = 0; c < metrics.PerClass.Count; c++)
        {
            var s = metrics.PerClass[c];
            json.WriteStartObject();
            json.WriteNumber("class", s.Class);
            if (classNames != null) json.WriteString("name", classNames[c]);
            json.WriteNumber("precision", s.Precision);
            json.WriteNumber("recall", s.Recall);
            json.WriteNumber("f1", s.F1);
            json.WriteNumber("support", s.Support);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>Writes a string dictionary as an object property (e.g. <c>params</c>).</summary>
    public static void WriteDictionary(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, string> values)
    {
        json.WriteStartObject(name);
        foreach (var (k, v) in values) json.WriteString(k, v);
        json.WriteEndObject();
    }
}
