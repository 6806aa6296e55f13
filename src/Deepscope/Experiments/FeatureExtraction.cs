using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Deepscope.Data;
using Deepscope.Features;
using Deepscope.Features.Cnn;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Experiments;

/// <summary>
/// Turns an experiment's <see cref="FeatureSpec"/> into a feature set on disk (the shared FeatureSet layout), cached
/// under a key of dataset, subset sizes and settings: a second run with the same key reuses it.
/// </summary>
public static class FeatureExtraction
{
    // Bump when what an extractor writes changes, so old cache entries are not reused.
    const string CacheVersion = "1";
    const long PixelBatch = 4096;

    /// <summary>The cache folder of one feature set: readable names plus a hash of everything that defines it.</summary>
    public static string CacheFolder(string cacheRoot, DatasetSelection dataset, FeatureSpec feature)
    {
        var key = $"{CacheVersion}|{dataset.Name}|{dataset.TrainSubset}|{dataset.TestSubset}|{feature.Label}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12];
        var subsets = $"{dataset.TrainSubset?.ToString(CultureInfo.InvariantCulture) ?? "all"}-{dataset.TestSubset?.ToString(CultureInfo.InvariantCulture) ?? "all"}";
        return Path.Combine(cacheRoot, dataset.Name, $"{feature.Kind}-{subsets}-{hash}");
    }

    /// <summary>Loads the cached set, or extracts it when absent (or when <paramref name="force"/>). Returns it and whether it came from cache.</summary>
    public static (FeatureSet Set, bool FromCache) GetOrExtract(string folder, FeatureSpec feature, LabeledImages train, LabeledImages test,
        string dataset, string baseDirectory, bool force, IProgressReporter progress)
    {
        if (!force && File.Exists(Path.Combine(folder, FeatureSet.InfoFile)))
            return (FeatureSet.Load(folder), true);
        Extract(folder, feature, train, test, dataset, baseDirectory, progress);
        return (FeatureSet.Load(folder), false);
    }

    static void Extract(string folder, FeatureSpec feature, LabeledImages train, LabeledImages test, string dataset, string baseDirectory, IProgressReporter progress)
    {
        var clock = Stopwatch.StartNew();
        var settings = new JsonObject();
        foreach (var (k, v) in feature.Settings) settings[k] = v;
        long[] featureShape;
        switch (feature.Kind)
        {
            case "pixels":
                featureShape = train.ImageShape;
                using (var writer = new FeatureSetWriter(folder, featureShape.Aggregate(1L, (a, b) => a * b)))
                {
                    foreach (var (split, images) in Splits(train, test)) WritePixels(writer, split, images, progress, dataset);
                    writer.Complete(Info(dataset, "pixels", settings, featureShape, train, clock));
                }
                break;
            case "scattering":
            {
                var s = new ScatteringSettings(Int(feature, "J"), Int(feature, "L"), Int(feature, "max_order"));
                using var scattering = new Scattering2D(s.J, ((int)train.ImageShape[^2], (int)train.ImageShape[^1]), s.L, s.MaxOrder);
                featureShape = scattering.OutputShape(train.ImageShape);
                using var writer = new FeatureSetWriter(folder, featureShape.Aggregate(1L, (a, b) => a * b));
                foreach (var (split, images) in Splits(train, test))
                    ScatteringFeatures.Extract(scattering, images, split, writer, progress, $"scattering {dataset} {split.ToString().ToLowerInvariant()}");
                writer.Complete(Info(dataset, ScatteringFeatures.ExtractorName, s.ToJson(), featureShape, train, clock));
                break;
            }
            case "cnn":
            {
                var options = new CnnFeatureOptions
                {
                    Model = feature.Settings["model"], Layers = [feature.Settings["layer"]],
                    Preprocessing = new ImageNetPreprocessing(feature.Settings.TryGetValue("resize", out var r) ? int.Parse(r, CultureInfo.InvariantCulture) : null),
                    BFloat16 = feature.Settings.GetValueOrDefault("bf16") == "true",
                };
                using var extractor = CnnFeatureExtractor.Load(options, ResolvePath(feature.Settings["weights"], baseDirectory));
                CnnFeatureDirectory.Write(folder, extractor, dataset, train, test, new Dictionary<string, JsonNode?>(), progress);
                break;
            }
            default:
                throw new DeepscopeException($"unknown feature extractor '{feature.Kind}'");
        }
    }

    static void WritePixels(FeatureSetWriter writer, Split split, LabeledImages images, IProgressReporter progress, string dataset)
    {
        using var task = progress.Start($"pixels {dataset} {split.ToString().ToLowerInvariant()}", images.Count, "images");
        for (long start = 0; start < images.Count; start += PixelBatch)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(PixelBatch, images.Count - start);
            var batch = images.Images.narrow(0, start, n);
            var pixels = batch.dtype == ScalarType.Byte ? batch.to_type(ScalarType.Float32).div_(255f) : batch.to_type(ScalarType.Float32);
            writer.Append(split, pixels, images.Labels.narrow(0, start, n));
            task.Advance(n);
        }
    }

    static FeatureSetInfo Info(string dataset, string extractor, JsonObject settings, long[] featureShape, LabeledImages train, Stopwatch clock) =>
        // Dimension and counts are filled in by the writer from what it wrote.
        new(dataset, extractor, settings, featureShape, 0, 0, 0, train.Classes, TorchRuntime.Versions(),
            new Dictionary<string, double> { ["total"] = clock.Elapsed.TotalSeconds }, DateTime.UtcNow);

    static IEnumerable<(Split, LabeledImages)> Splits(LabeledImages train, LabeledImages test) => [(Split.Train, train), (Split.Test, test)];

    static int Int(FeatureSpec feature, string key) => int.Parse(feature.Settings[key], CultureInfo.InvariantCulture);

    /// <summary>A path from an experiment file: <c>~</c> is the home folder; relative paths are relative to the file.</summary>
    public static string ResolvePath(string path, string baseDirectory)
    {
        if (path.StartsWith("~/", StringComparison.Ordinal))
            path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]);
        return Path.GetFullPath(path, baseDirectory);
    }
}
