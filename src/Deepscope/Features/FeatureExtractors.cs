using System.Diagnostics;
using System.Text.Json.Nodes;
using Deepscope.Catalogs;
using Deepscope.Data;
using Deepscope.Features.Cnn;
using Deepscope.Models.Pretrained;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Features;

/// <summary>Turns the train and test images of a dataset into a feature set on disk (the <see cref="FeatureSet"/> layout).</summary>
public interface IFeatureExtractor
{
    /// <summary>Writes both splits into <paramref name="folder"/> and returns what features.json records.</summary>
    FeatureSetInfo Extract(string folder, string dataset, LabeledImages train, LabeledImages test, IProgressReporter progress);
}

/// <summary>The feature extractors by the names experiment files and <c>deepscope list extractors</c> use.</summary>
public static class FeatureExtractors
{
    public static Catalog<IFeatureExtractor> Catalog { get; } = new Catalog<IFeatureExtractor>("feature extractor")
        .Add("pixels", "the raw pixels, scaled to [0, 1] (uint8 / 255), flattened", () => new PixelOptions(), _ => new PixelExtractor())
        .Add("scattering", "Scattering2D coefficients (Kymatio's definition), flattened", () => new ScatteringSettings(), o => new ScatteringExtractor(o))
        .Add("cnn", "activations of a pretrained torchvision network at one layer, flattened", () => new CnnExtractorOptions(), o => new CnnExtractor(o))
        .Add("tight-frame", "geometric tight-frame statistics (Liu et al. 2016): per 3x3 filter the mean, deviation and tail fraction", () => new Patches.TightFrameOptions(), _ => new Patches.TightFrameExtractor());

    /// <summary>Info with the counts left for the writer to fill in from what it wrote.</summary>
    internal static FeatureSetInfo Info(string dataset, string extractor, JsonObject settings, long[] featureShape, LabeledImages train, Stopwatch clock) =>
        new(dataset, extractor, settings, featureShape, 0, 0, 0, train.Classes, TorchRuntime.Versions(),
            new Dictionary<string, double> { ["total"] = clock.Elapsed.TotalSeconds }, DateTime.UtcNow);

    internal static IEnumerable<(Split Split, LabeledImages Images)> Splits(LabeledImages train, LabeledImages test) => [(Split.Train, train), (Split.Test, test)];

    internal static long Product(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>Pixels take no parameters.</summary>
public sealed record PixelOptions;

/// <summary>Pixels as features: float32 in [0, 1] for uint8 images, the values as they are otherwise.</summary>
public sealed class PixelExtractor : IFeatureExtractor
{
    const long Batch = 4096;

    public FeatureSetInfo Extract(string folder, string dataset, LabeledImages train, LabeledImages test, IProgressReporter progress)
    {
        var clock = Stopwatch.StartNew();
        using var writer = new FeatureSetWriter(folder, FeatureExtractors.Product(train.ImageShape));
        foreach (var (split, images) in FeatureExtractors.Splits(train, test))
        {
            using var task = progress.Start($"pixels {dataset} {split.ToString().ToLowerInvariant()}", images.Count, "images");
            for (long start = 0; start < images.Count; start += Batch)
            {
                using var scope = NewDisposeScope();
                long n = Math.Min(Batch, images.Count - start);
                var batch = images.Images.narrow(0, start, n);
                var pixels = batch.dtype == ScalarType.Byte ? batch.to_type(ScalarType.Float32).div_(255f) : batch.to_type(ScalarType.Float32);
                writer.Append(split, pixels, images.Labels.narrow(0, start, n));
                task.Advance(n);
            }
        }
        writer.Complete(FeatureExtractors.Info(dataset, "pixels", new JsonObject(), train.ImageShape, train, clock));
        return FeatureSet.ReadInfo(folder);
    }
}

/// <summary>Scattering coefficients of every channel (<see cref="ScatteringFeatures.Extract"/>).</summary>
public sealed class ScatteringExtractor(ScatteringSettings settings) : IFeatureExtractor
{
    public ScatteringSettings Settings { get; } = settings;

    public FeatureSetInfo Extract(string folder, string dataset, LabeledImages train, LabeledImages test, IProgressReporter progress)
    {
        var clock = Stopwatch.StartNew();
        using var scattering = new Scattering2D(Settings.J, ((int)train.ImageShape[^2], (int)train.ImageShape[^1]), Settings.L, Settings.MaxOrder);
        var featureShape = scattering.OutputShape(train.ImageShape);
        using var writer = new FeatureSetWriter(folder, FeatureExtractors.Product(featureShape));
        foreach (var (split, images) in FeatureExtractors.Splits(train, test))
            ScatteringFeatures.Extract(scattering, images, split, writer, progress, $"scattering {dataset} {split.ToString().ToLowerInvariant()}");
        writer.Complete(FeatureExtractors.Info(dataset, ScatteringFeatures.ExtractorName, Settings.ToJson(), featureShape, train, clock));
        return FeatureSet.ReadInfo(folder);
    }
}

/// <summary>Settings of the <c>cnn</c> extractor as experiment files write them.</summary>
public sealed record CnnExtractorOptions
{
    [Param(Description = "a torchvision architecture (resnet18, vgg16, alexnet, ...) or resnet18-cntk (ImageNet weights bundled)")]
    public string Model { get; init; } = "resnet18";
    /// <summary>A .pth state dict; the caller resolves a relative path against the experiment file's folder.</summary>
    [Param(Description = "the pretrained weights, a .pth state dict or ONNX file (none for a bundled model: resnet18-cntk)")]
    public string Weights { get; init; } = "";
    [Param(Description = "the module whose activations are the features (avgpool, layer3, features.29, classifier.4, ...)")]
    public string Layer { get; init; } = "avgpool";
    [Param(Min = 8, Max = 1024, Description = "shorter side the images are resized to first (none: as they are)")]
    public int? Resize { get; init; }
    [Param("bf16", Description = "run the network in bfloat16")]
    public bool BFloat16 { get; init; }

    public CnnFeatureOptions ToFeatureOptions() =>
        new() { Model = Model, Layers = [Layer], Preprocessing = new ImageNetPreprocessing(Resize), BFloat16 = BFloat16 };
}

/// <summary>Activations of a pretrained network (<see cref="CnnFeatureExtractor"/>, <see cref="CnnFeatureDirectory"/>).</summary>
public sealed class CnnExtractor : IFeatureExtractor
{
    public CnnExtractorOptions Options { get; }

    public CnnExtractor(CnnExtractorOptions options)
    {
        CnnModels.Check(options.Model);
        if (options.Weights.Length == 0 && !CnnModels.Bundled.Contains(options.Model))
            throw new DeepscopeException($"cnn needs 'weights' for {options.Model}: the pretrained state dict (.pth) or ONNX file of the model");
        Options = options;
    }

    public FeatureSetInfo Extract(string folder, string dataset, LabeledImages train, LabeledImages test, IProgressReporter progress)
    {
        using var extractor = CnnFeatureExtractor.Load(Options.ToFeatureOptions(), Options.Weights.Length == 0 ? null : Options.Weights);
        return CnnFeatureDirectory.Write(folder, extractor, dataset, train, test, new Dictionary<string, JsonNode?>(), progress);
    }
}
