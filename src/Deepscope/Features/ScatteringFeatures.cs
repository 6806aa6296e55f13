using System.Diagnostics;
using System.Text.Json.Nodes;
using Deepscope.Catalogs;
using Deepscope.Data;
using Deepscope.IO;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Features;

/// <summary>Settings of a scattering feature extraction (Kymatio's parameters).</summary>
public sealed record ScatteringSettings(
    [property: Param("J", Min = 1, Max = 8, Description = "scales: the coefficients are averaged over 2^J pixels")] int J = 2,
    [property: Param("L", Min = 1, Max = 16, Description = "wavelet orientations")] int L = 8,
    [property: Param("max_order", Min = 1, Max = 2, Description = "1: first-order coefficients only; 2: also second order")] int MaxOrder = 2)
{
    public JsonObject ToJson() => new()
    {
        ["J"] = J, ["L"] = L, ["max_order"] = MaxOrder, ["definition"] = "kymatio.torch.Scattering2D (pre_pad=False)",
        ["input"] = "float32 in [0, 1] (uint8 / 255), every channel scattered separately",
    };
}

/// <summary>Scattering coefficients of whole datasets as a <see cref="FeatureSet"/> for the learners.</summary>
public static class ScatteringFeatures
{
    public const string ExtractorName = "scattering2d";
    const long BatchImages = 512;

    /// <summary>
    /// Scatters the train and test splits of <paramref name="dataset"/> into <paramref name="outputDirectory"/> (optionally
    /// only the first <paramref name="limit"/> images of each split) and returns what features.json records.
    /// </summary>
    public static FeatureSetInfo ExtractDataset(DatasetStore store, string dataset, ScatteringSettings settings, string outputDirectory,
        IProgressReporter? progress = null, long? limit = null)
    {
        progress ??= NoProgress.Instance;
        var spec = Datasets.Get(dataset);
        var total = Stopwatch.StartNew();
        var timings = new Dictionary<string, double>();
        Scattering2D? scattering = null;
        FeatureSetWriter? writer = null;
        long[] featureShape = [];
        IReadOnlyList<string> classes = spec.Classes;
        try
        {
            foreach (var split in new[] { Split.Train, Split.Test })
            {
                var clock = Stopwatch.StartNew();
                using var loaded = store.Load(spec, split);
                using var taken = limit is { } n ? loaded.Take(n) : null;
                var images = taken ?? loaded;
                timings[$"{Name(split)}_load"] = clock.Elapsed.TotalSeconds;
                if (images.Images.dim() != 4)
                    throw new DeepscopeException($"{images.Source}: expected images (N, C, H, W), got ({string.Join(", ", images.Images.shape)})");
                scattering ??= new Scattering2D(settings.J, ((int)images.ImageShape[^2], (int)images.ImageShape[^1]), settings.L, settings.MaxOrder);
                featureShape = scattering.OutputShape(images.ImageShape);
                writer ??= new FeatureSetWriter(outputDirectory, featureShape.Aggregate(1L, (a, b) => a * b));
                classes = images.Classes;
                clock.Restart();
                Extract(scattering, images, split, writer, progress, $"scattering {spec.Name} {Name(split)}");
                timings[$"{Name(split)}_scattering"] = clock.Elapsed.TotalSeconds;
            }
            timings["total"] = total.Elapsed.TotalSeconds;
            // Dimension and counts are filled in by the writer from what it wrote.
            var info = new FeatureSetInfo(spec.Name, ExtractorName, settings.ToJson(), featureShape, 0, 0, 0, classes,
                TorchRuntime.Versions(), timings, DateTime.UtcNow);
            writer!.Complete(info);
            return FeatureSet.ReadInfo(outputDirectory);
        }
        finally
        {
            writer?.Dispose();
            scattering?.Dispose();
        }
    }

    /// <summary>
    /// Scatters images (N, C, H, W) batch by batch and appends the flattened coefficients with their labels, on
    /// the calling thread (a writer thread beside libtorch work is unsafe: <see cref="Runtime.CollectorMode"/>).
    /// </summary>
    public static void Extract(Scattering2D scattering, LabeledImages images, Split split, FeatureSetWriter writer,
        IProgressReporter? progress = null, string? description = null)
    {
        using var task = (progress ?? NoProgress.Instance).Start(description ?? $"scattering {Name(split)}", images.Count, "images");
        for (long start = 0; start < images.Count; start += BatchImages)
        {
            long n = Math.Min(BatchImages, images.Count - start);
            Tensor coefficients;
            using (NewDisposeScope())
            {
                var batch = images.Images.narrow(0, start, n);
                var pixels = batch.dtype == ScalarType.Byte ? batch.to_type(ScalarType.Float32).div_(255f) : batch.to_type(ScalarType.Float32);
                using (no_grad()) coefficients = scattering.forward(pixels).DetachFromDisposeScope();
            }
            var labels = images.Labels.narrow(0, start, n);
            using (coefficients)
            using (labels)
                writer.Append(split, coefficients, labels);
            task.Advance(n);
        }
    }

    static string Name(Split split) => split == Split.Train ? "train" : "test";
}
