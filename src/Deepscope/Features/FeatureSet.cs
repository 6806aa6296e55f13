using Deepscope.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Deepscope.Data;
using Deepscope.IO;
using static TorchSharp.torch;

namespace Deepscope.Features;

/// <summary>
/// What <c>features.json</c> records about a feature set: where the images came from, which extractor with which
/// settings, the per-image feature shape before flattening, counts, class names, versions and timings.
/// </summary>
public sealed record FeatureSetInfo(
    string Dataset,
    string Extractor,
    JsonObject Settings,
    long[] FeatureShape,
    long FeatureDim,
    long TrainCount,
    long TestCount,
    IReadOnlyList<string> Classes,
    IReadOnlyDictionary<string, string> Versions,
    IReadOnlyDictionary<string, double> TimingsSeconds,
    DateTime CreatedUtc)
{
    public const string CurrentFormat = "deepscope-features/1";
    public string Format { get; init; } = CurrentFormat;
}

/// <summary>
/// A directory of extracted features shared by every feature extractor (scattering, pretrained CNNs) and every learner:
/// <list type="bullet">
/// <item><c>train_features.npy</c>, <c>test_features.npy</c>: float32 (N, D), one flattened feature vector per image;</item>
/// <item><c>train_labels.npy</c>, <c>test_labels.npy</c>: int64 (N,), class indices into <see cref="FeatureSetInfo.Classes"/>;</item>
/// <item><c>features.json</c>: <see cref="FeatureSetInfo"/>, written last, so its presence means the set is complete.</item>
/// </list>
/// Write with <see cref="FeatureSetWriter"/>, read with <see cref="Load"/>.
/// </summary>
public sealed class FeatureSet : IDisposable
{
    public const string TrainFeaturesFile = "train_features.npy";
    public const string TrainLabelsFile = "train_labels.npy";
    public const string TestFeaturesFile = "test_features.npy";
    public const string TestLabelsFile = "test_labels.npy";
    public const string InfoFile = "features.json";

    public FeatureSetInfo Info { get; }
    public Tensor TrainFeatures { get; }
    public Tensor TrainLabels { get; }
    public Tensor TestFeatures { get; }
    public Tensor TestLabels { get; }

    FeatureSet(FeatureSetInfo info, Tensor trainFeatures, Tensor trainLabels, Tensor testFeatures, Tensor testLabels) =>
        (Info, TrainFeatures, TrainLabels, TestFeatures, TestLabels) = (info, trainFeatures, trainLabels, testFeatures, testLabels);

    public static string FeaturesFile(Split split) => split == Split.Train ? TrainFeaturesFile : TestFeaturesFile;
    public static string LabelsFile(Split split) => split == Split.Train ? TrainLabelsFile : TestLabelsFile;

    /// <summary>Reads only <c>features.json</c>.</summary>
    public static FeatureSetInfo ReadInfo(string directory)
    {
        var path = Path.Combine(directory, InfoFile);
        if (!File.Exists(path))
            throw new InvalidDataFileException(path, "missing: not a complete feature set (features.json is written last)");
        try
        {
            var info = JsonSerializer.Deserialize<FeatureSetInfo>(File.ReadAllText(path), JsonFormat.Options)
                ?? throw new InvalidDataFileException(path, "empty feature set description");
            if (info.Format != FeatureSetInfo.CurrentFormat)
                throw new InvalidDataFileException(path, $"unsupported format '{info.Format}' (expected {FeatureSetInfo.CurrentFormat})");
            return info;
        }
        catch (JsonException e) { throw new InvalidDataFileException(path, $"invalid JSON: {e.Message}", e); }
    }

    /// <summary>Loads and checks a feature set: dtypes, shapes against features.json, matching counts, finite features.</summary>
    public static FeatureSet Load(string directory)
    {
        var info = ReadInfo(directory);
        var tensors = new List<Tensor>();
        try
        {
            foreach (var split in new[] { Split.Train, Split.Test })
            {
                long count = split == Split.Train ? info.TrainCount : info.TestCount;
                var featuresPath = Path.Combine(directory, FeaturesFile(split));
                var labelsPath = Path.Combine(directory, LabelsFile(split));
                var features = Npy.Read(featuresPath);
                tensors.Add(features);
                var labels = Npy.Read(labelsPath);
                tensors.Add(labels);
                if (features.dtype != ScalarType.Float32 || features.dim() != 2 || features.shape[0] != count || features.shape[1] != info.FeatureDim)
                    throw new InvalidDataFileException(featuresPath,
                        $"expected float32 ({count}, {info.FeatureDim}) as features.json says, got {features.dtype} ({string.Join(", ", features.shape)})");
                if (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != count)
                    throw new InvalidDataFileException(labelsPath, $"expected int64 ({count},) labels, got {labels.dtype} ({string.Join(", ", labels.shape)})");
                FloatMatrix.CheckFinite(features, featuresPath);
            }
            return new FeatureSet(info, tensors[0], tensors[1], tensors[2], tensors[3]);
        }
        catch
        {
            foreach (var t in tensors) t.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        TrainFeatures.Dispose();
        TrainLabels.Dispose();
        TestFeatures.Dispose();
        TestLabels.Dispose();
    }
}

/// <summary>
/// Streams a feature set to disk split by split (each file is written to a temporary name and renamed when complete);
/// <see cref="Complete"/> writes <c>features.json</c> last. Disposing without completing leaves no partial files.
/// </summary>
public sealed class FeatureSetWriter : IDisposable
{
    readonly string _directory;
    readonly long _featureDim;
    readonly Dictionary<Split, (NpyStreamWriter Features, NpyStreamWriter Labels)> _splits = [];

    public FeatureSetWriter(string directory, long featureDim)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureDim, 1);
        _directory = Path.GetFullPath(directory);
        _featureDim = featureDim;
        Directory.CreateDirectory(_directory);
        // An older set in the same place is no longer complete once its arrays start being replaced.
        File.Delete(Path.Combine(_directory, FeatureSet.InfoFile));
    }

    public long Count(Split split) => _splits.TryGetValue(split, out var w) ? w.Features.Rows : 0;

    /// <summary>Appends features (n, D) (or (n, ...) flattened per row) with their labels (n,).</summary>
    public void Append(Split split, Tensor features, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var flat = features.reshape(features.shape[0], -1);
        if (flat.shape[1] != _featureDim)
            throw new DeepscopeException($"feature set {_directory}: rows of {flat.shape[1]} features, expected {_featureDim}");
        if (labels.dim() != 1 || labels.shape[0] != flat.shape[0])
            throw new DeepscopeException($"feature set {_directory}: {labels.shape[0]} labels for {flat.shape[0]} feature rows");
        FloatMatrix.CheckFinite(flat, $"{Path.Combine(_directory, FeatureSet.FeaturesFile(split))} (being written)");
        if (!_splits.TryGetValue(split, out var writers))
            _splits[split] = writers = (new NpyStreamWriter(Path.Combine(_directory, FeatureSet.FeaturesFile(split)), ScalarType.Float32, _featureDim),
                new NpyStreamWriter(Path.Combine(_directory, FeatureSet.LabelsFile(split)), ScalarType.Int64));
        writers.Features.Append(flat);
        writers.Labels.Append(labels);
    }

    /// <summary>Completes both splits (a split with no rows is written empty) and then writes features.json.</summary>
    public void Complete(FeatureSetInfo info)
    {
        foreach (var split in new[] { Split.Train, Split.Test })
            if (!_splits.ContainsKey(split))
                _splits[split] = (new NpyStreamWriter(Path.Combine(_directory, FeatureSet.FeaturesFile(split)), ScalarType.Float32, _featureDim),
                    new NpyStreamWriter(Path.Combine(_directory, FeatureSet.LabelsFile(split)), ScalarType.Int64));
        var completed = info with { FeatureDim = _featureDim, TrainCount = Count(Split.Train), TestCount = Count(Split.Test) };
        foreach (var (features, labels) in _splits.Values)
        {
            features.Complete();
            labels.Complete();
        }
        AtomicFile.WriteAllText(Path.Combine(_directory, FeatureSet.InfoFile), JsonSerializer.Serialize(completed, JsonFormat.Options));
    }

    public void Dispose()
    {
        foreach (var (features, labels) in _splits.Values)
        {
            features.Dispose();
            labels.Dispose();
        }
    }
}
