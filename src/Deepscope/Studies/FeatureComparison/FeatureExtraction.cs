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

namespace Deepscope.Studies.FeatureComparison;

/// <summary>
/// Turns a <see cref="FeatureSpec"/> into a feature set on disk (the shared FeatureSet layout): a stage of the cross-run
/// store keyed by dataset, subset sizes and settings, so a later run (or another shard) with the same key reuses it.
/// </summary>
public static class FeatureExtraction
{
    // Bump when what an extractor writes changes, so old stored sets are not reused.
    const string Version = "2";
    const long PixelBatch = 4096;

    public static StageKey Key(DatasetSelection dataset, FeatureSpec feature, StudyContext context) =>
        new("features", new
        {
            Version, Dataset = dataset.Name, dataset.TrainSubset, dataset.TestSubset, Extractor = feature.Kind,
            // Weights by their full path: the same file name in two folders is two different models.
            Settings = feature.Settings.ToDictionary(p => p.Key, p => p.Key == "weights" ? context.ResolvePath(p.Value) : p.Value),
        });

    /// <summary>The stored feature set, extracted first when the store does not hold it.</summary>
    public static FeatureSet GetOrExtract(DatasetSelection dataset, FeatureSpec feature, Func<(LabeledImages Train, LabeledImages Test)> images,
        StudyContext context)
    {
        var key = Key(dataset, feature, context);
        var subsets = $"{dataset.TrainSubset?.ToString(CultureInfo.InvariantCulture) ?? "all"}-{dataset.TestSubset?.ToString(CultureInfo.InvariantCulture) ?? "all"}";
        var folder = context.Cache.ArtifactFolder(key, $"{dataset.Name}-{feature.Kind}-{subsets}");
        context.Stage(key, $"features {feature.Label} on {dataset.Name}", () =>
        {
            // Written aside and renamed into place: a killed extraction or a second shard never sees half a set.
            var temp = $"{folder}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            try
            {
                var (train, test) = images();
                Extract(temp, feature, train, test, dataset.Name, context);
                if (context.Force && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                if (!Directory.Exists(folder)) Directory.Move(temp, folder);
            }
            finally
            {
                if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            }
            return Path.GetFileName(folder);
        }, context.Cache);
        return FeatureSet.Load(folder);
    }

    static void Extract(string folder, FeatureSpec feature, LabeledImages train, LabeledImages test, string dataset, StudyContext context)
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
                    foreach (var (split, images) in Splits(train, test)) WritePixels(writer, split, images, context.Progress, dataset);
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
                    ScatteringFeatures.Extract(scattering, images, split, writer, context.Progress, $"scattering {dataset} {split.ToString().ToLowerInvariant()}");
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
                using var extractor = CnnFeatureExtractor.Load(options, context.ResolvePath(feature.Settings["weights"]));
                CnnFeatureDirectory.Write(folder, extractor, dataset, train, test, new Dictionary<string, JsonNode?>(), context.Progress);
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
}
