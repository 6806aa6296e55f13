using System.Text.Json.Nodes;
using Deepscope.Data;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Features.Cnn;

/// <summary>
/// Writes a dataset's CNN features as a <see cref="FeatureSet"/> (the layout the scattering extractor and the learners
/// share): one float32 row per image, several layers side by side in the order asked; the settings in features.json
/// record the model, preprocessing and each layer's column offset and width. Features stream to disk batch by batch.
/// </summary>
public static class CnnFeatureDirectory
{
    public const string ExtractorName = "cnn";

    public static FeatureSetInfo Write(string directory, CnnFeatureExtractor extractor, string dataset, LabeledImages train, LabeledImages test,
        IReadOnlyDictionary<string, JsonNode?> extraSettings, IProgressReporter progress)
    {
        var layers = extractor.Options.Layers;
        var dims = extractor.Dimensions(train.ImageShape);
        long width = layers.Sum(l => dims[l]);
        var timings = new Dictionary<string, double>();
        long images = 0;
        double seconds = 0;
        using var writer = new FeatureSetWriter(directory, width);
        foreach (var (split, set) in new[] { (Split.Train, train), (Split.Test, test) })
        {
            long row = 0;
            var name = split == Split.Train ? "train" : "test";
            double spent = extractor.Run(set.Images, features =>
            {
                using var columns = cat(layers.Select(l => features[l]).ToList(), 1);
                long n = columns.shape[0];
                writer.Append(split, columns, set.Labels.narrow(0, row, n));
                row += n;
            }, progress, $"{extractor.Options.Model} {name}");
            timings[$"{name}_seconds"] = Math.Round(spent, 3);
            seconds += spent;
            images += set.Count;
        }
        timings["images_per_second"] = Math.Round(images / Math.Max(seconds, 1e-9), 2);

        var normalization = extractor.Options.Preprocessing.Normalization;
        long offset = 0;
        var columnsJson = new JsonArray();
        foreach (var layer in layers)
        {
            columnsJson.Add(new JsonObject { ["name"] = layer, ["offset"] = offset, ["dim"] = dims[layer] });
            offset += dims[layer];
        }
        var settings = new JsonObject
        {
            ["model"] = extractor.Options.Model,
            ["layers"] = columnsJson,
            ["resize"] = extractor.Options.Preprocessing.Resize,
            ["center_crop"] = extractor.Options.Preprocessing.CenterCrop,
            ["normalize_mean"] = new JsonArray([.. normalization.Mean.Select(v => JsonValue.Create(v))]),
            ["normalize_std"] = new JsonArray([.. normalization.Std.Select(v => JsonValue.Create(v))]),
            ["normalize_mean_image"] = normalization.MeanImage is not null,
            ["bf16"] = extractor.Options.BFloat16,
            ["batch_size"] = extractor.Options.BatchSize,
        };
        foreach (var (key, value) in extraSettings) settings[key] = value?.DeepClone();
        // Dimension and counts are filled in by the writer from what it wrote.
        writer.Complete(new FeatureSetInfo(dataset, ExtractorName, settings, [width], 0, 0, 0, train.Classes,
            TorchRuntime.Versions(), timings, DateTime.UtcNow));
        return FeatureSet.ReadInfo(directory);
    }
}
