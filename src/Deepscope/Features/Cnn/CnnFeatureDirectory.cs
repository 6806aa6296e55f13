using System.Text.Json;
using System.Text.Json.Nodes;
using Deepscope.Data;
using Deepscope.IO;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Features.Cnn;

/// <summary>
/// Writes a dataset's CNN features in the feature-directory layout shared with the scattering extractor:
/// train_features.npy / test_features.npy (float32, one row per image; several layers side by side in the order
/// asked), train_labels.npy / test_labels.npy (int64) and features.json (extractor, dataset, settings, layer
/// columns, shapes, versions, timings). Features stream to disk batch by batch; features.json is written last.
/// </summary>
public static class CnnFeatureDirectory
{
    public const string ManifestFile = "features.json";

    public static JsonObject Write(string directory, CnnFeatureExtractor extractor, string dataset, LabeledImages train, LabeledImages test,
        IReadOnlyDictionary<string, JsonNode?> extraSettings, IProgressReporter progress)
    {
        Directory.CreateDirectory(directory);
        var layers = extractor.Options.Layers;
        var dims = extractor.Dimensions(train.ImageShape);
        long width = layers.Sum(l => dims[l]);
        var shapes = new JsonObject();
        var timings = new JsonObject();
        long images = 0;
        double seconds = 0;
        foreach (var (split, set) in new[] { ("train", train), ("test", test) })
        {
            using (var writer = new NpyStreamWriter(Path.Combine(directory, $"{split}_features.npy"), ScalarType.Float32, width))
            {
                double spent = extractor.Run(set.Images, features =>
                {
                    using var row = cat(layers.Select(l => features[l]).ToList(), 1);
                    writer.Append(row);
                }, progress, $"{extractor.Options.Model} {split}");
                writer.Complete();
                timings[$"{split}_seconds"] = Math.Round(spent, 3);
                seconds += spent;
                images += set.Count;
            }
            Npy.Write(Path.Combine(directory, $"{split}_labels.npy"), set.Labels.to_type(ScalarType.Int64));
            shapes[$"{split}_features"] = new JsonArray(set.Count, width);
            shapes[$"{split}_labels"] = new JsonArray(set.Count);
        }
        timings["images_per_second"] = Math.Round(images / Math.Max(seconds, 1e-9), 2);

        var settings = new JsonObject
        {
            ["model"] = extractor.Options.Model,
            ["layers"] = new JsonArray([.. layers.Select(l => JsonValue.Create(l))]),
            ["resize"] = extractor.Options.Preprocessing.Resize,
            ["center_crop"] = extractor.Options.Preprocessing.CenterCrop,
            ["normalize_mean"] = new JsonArray([.. ImageNetPreprocessing.Mean.Select(v => JsonValue.Create(v))]),
            ["normalize_std"] = new JsonArray([.. ImageNetPreprocessing.Std.Select(v => JsonValue.Create(v))]),
            ["bf16"] = extractor.Options.BFloat16,
            ["batch_size"] = extractor.Options.BatchSize,
        };
        foreach (var (key, value) in extraSettings) settings[key] = value?.DeepClone();
        long offset = 0;
        var columns = new JsonArray();
        foreach (var layer in layers)
        {
            columns.Add(new JsonObject { ["name"] = layer, ["offset"] = offset, ["dim"] = dims[layer] });
            offset += dims[layer];
        }
        var manifest = new JsonObject
        {
            ["extractor"] = "cnn",
            ["dataset"] = dataset,
            ["settings"] = settings,
            ["layers"] = columns,
            ["shapes"] = shapes,
            ["versions"] = new JsonObject([.. TorchRuntime.Versions().Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]),
            ["timings"] = timings,
            ["created_utc"] = DateTime.UtcNow.ToString("O"),
        };
        AtomicFile.WriteAllText(Path.Combine(directory, ManifestFile), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return manifest;
    }
}
