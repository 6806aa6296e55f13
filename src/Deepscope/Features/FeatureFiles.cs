using System.Text.Json;
using Deepscope.IO;
using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Features;

/// <summary>Where the feature and label files are: named one by one, or a feature extractor's output directory.</summary>
public sealed record FeatureFiles(string TrainFeatures, string TrainLabels, string? TestFeatures, string? TestLabels, string? Manifest)
{
    public static FeatureFiles Resolve(string? directory, string? trainFeatures, string? trainLabels, string? testFeatures, string? testLabels)
    {
        if (directory != null)
        {
            if (trainFeatures != null || trainLabels != null || testFeatures != null || testLabels != null)
                throw new DeepscopeException("give either --features-dir or the individual --train-/--test- files, not both");
            if (!Directory.Exists(directory)) throw new DeepscopeException($"{directory}: no such directory");
            string In(string name) => Path.Combine(directory, name);
            var manifest = In("features.json");
            return new FeatureFiles(Existing(In("train_features.npy")), Existing(In("train_labels.npy")),
                File.Exists(In("test_features.npy")) ? In("test_features.npy") : null, File.Exists(In("test_labels.npy")) ? In("test_labels.npy") : null,
                File.Exists(manifest) ? manifest : null);
        }
        if (trainFeatures == null || trainLabels == null) throw new DeepscopeException("give --train-features and --train-labels, or --features-dir");
        if ((testFeatures == null) != (testLabels == null)) throw new DeepscopeException("give both --test-features and --test-labels, or neither");
        return new FeatureFiles(Existing(trainFeatures), Existing(trainLabels), testFeatures is null ? null : Existing(testFeatures), testLabels is null ? null : Existing(testLabels), null);
    }

    static string Existing(string path) => File.Exists(path) ? path : throw new DeepscopeException($"{path}: file not found");

    /// <summary>A (N, ...) array as float32 (N, D), flattening trailing dimensions.</summary>
    public static Tensor ReadFeatures(string path)
    {
        var raw = Npy.Read(path);
        if (raw.dim() < 2) { raw.Dispose(); throw new InvalidDataFileException(path, $"features must have a row per sample (N, D); got shape ({string.Join(", ", raw.shape)})"); }
        var features = raw;
        if (!(raw.dtype == ScalarType.Float32 && raw.dim() == 2 && raw.is_contiguous()))
            using (raw) features = raw.to_type(ScalarType.Float32).reshape(raw.shape[0], -1).contiguous();
        try { FloatMatrix.CheckFinite(features); }
        catch (DeepscopeException e)
        {
            // The learners' message (row, column, value), prefixed with the file.
            features.Dispose();
            throw new InvalidDataFileException(path, e.Message);
        }
        return features;
    }

    public static Tensor ReadLabels(string path, long rows, string what = "labels")
    {
        using var raw = Npy.Read(path);
        if (raw.dim() != 1) throw new InvalidDataFileException(path, $"{what} must be a vector (N); got shape ({string.Join(", ", raw.shape)})");
        if (raw.shape[0] != rows) throw new InvalidDataFileException(path, $"{raw.shape[0]} {what} for {rows} feature rows");
        if (raw.is_floating_point())
        {
            using var rounded = raw.round();
            if (!rounded.eq(raw).all().item<bool>()) throw new InvalidDataFileException(path, $"{what} must be integers");
        }
        return raw.to_type(ScalarType.Int64).contiguous();
    }

    /// <summary>Class names from features.json ("classes": [...]) when the extractor wrote them.</summary>
    public IReadOnlyList<string>? ClassNames()
    {
        if (Manifest == null) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Manifest));
            return doc.RootElement.TryGetProperty("classes", out var classes) && classes.ValueKind == JsonValueKind.Array
                ? classes.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.ToString()).ToList()
                : null;
        }
        catch (JsonException e) { throw new InvalidDataFileException(Manifest, $"not valid JSON: {e.Message}"); }
    }
}
