using System.Diagnostics;
using Deepscope.Models.Inference;
using Deepscope.Models.Pretrained;
using Deepscope.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Deepscope.Features.Cnn;

/// <summary>What to extract and how: hyper-parameters only; the weights come with <see cref="CnnFeatureExtractor.Load"/>.</summary>
public sealed record CnnFeatureOptions
{
    /// <summary>A name of <see cref="CnnModels.All"/>.</summary>
    public required string Model { get; init; }
    /// <summary>torchvision module names (avgpool, layer3, features.29, classifier.4, ...), computed in one pass.</summary>
    public required IReadOnlyList<string> Layers { get; init; }
    public ImageNetPreprocessing Preprocessing { get; init; } = new();
    /// <summary>Runs the network in bfloat16 (AMX on recent Xeons); features are returned as float32.</summary>
    public bool BFloat16 { get; init; }
    public int BatchSize { get; init; } = 32;

    public void Validate()
    {
        CnnModels.Check(Model);
        if (BatchSize < 1) throw new DeepscopeException($"batch size must be at least 1, got {BatchSize}");
        if (Layers.Distinct().Count() != Layers.Count) throw new DeepscopeException($"a layer is named twice in: {string.Join(", ", Layers)}");
        Preprocessing.Validate();
    }
}

/// <summary>
/// A pretrained torchvision network used as a fixed feature map: batched no-grad inference that returns the
/// activations of the requested modules, flattened per sample, in float32.
/// </summary>
public sealed class CnnFeatureExtractor : IDisposable
{
    readonly nn.Module<Tensor, Tensor> _model;
    // Frees the heap pages glibc keeps after large tensors (see NativeHeap) every few batches.
    const int TrimEveryBatches = 8;

    public CnnFeatureOptions Options { get; }

    /// <summary>
    /// Wraps a network that already holds its weights (readied for inference, <see cref="InferencePreparation"/>, and owned from now on). Images are
    /// normalised as the model's pretrained weights expect (<see cref="CnnModels.Normalization"/>).
    /// </summary>
    public CnnFeatureExtractor(nn.Module<Tensor, Tensor> model, CnnFeatureOptions options)
    {
        options.Validate();
        options = options with { Preprocessing = options.Preprocessing with { Normalization = CnnModels.Normalization(options.Model) } };
        LayerWalk.Validate(model, options.Model, options.Layers);
        _model = model;
        // A requested convolution's own output would change if its batch norm were folded into it.
        InferencePreparation.Prepare(_model, observed: options.Layers.ToHashSet());
        if (options.BFloat16) _model.to(ScalarType.BFloat16);
        Options = options;
    }

    /// <summary>The model of <paramref name="options"/> with the weights of a .pth, .safetensors or .onnx file, or its bundled weights (null).</summary>
    public static CnnFeatureExtractor Load(CnnFeatureOptions options, string? weightsPath)
    {
        options.Validate();
        var model = CnnModels.Load(options.Model, weightsPath);
        try { return new CnnFeatureExtractor(model, options); }
        catch { model.Dispose(); throw; }
    }

    /// <summary>The feature length of each layer for images of (C, H, W) or (H, W), found by running one blank image.</summary>
    public IReadOnlyDictionary<string, long> Dimensions(long[] imageShape)
    {
        using var scope = NewDisposeScope();
        var features = Extract(zeros([1, .. imageShape]));
        return Options.Layers.ToDictionary(l => l, l => features[l].shape[1]);
    }

    /// <summary>One batch of images in [0, 1] (or uint8) to float32 features (N, D) per layer, owned by the caller.</summary>
    public Dictionary<string, Tensor> Extract(Tensor images)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        CheckRange(images);
        var x = Options.Preprocessing.Apply(images);
        if (Options.BFloat16) x = x.to_type(ScalarType.BFloat16);
        x = MemoryFormat.ChannelsLast(x);
        var features = LayerWalk.Run(_model, x, Options.Layers);
        foreach (var (layer, f) in features)
            if (f.isnan().any().item<bool>() || f.isinf().any().item<bool>())
                throw new DeepscopeException($"{Options.Model} produced non-finite features at layer {layer}: check the weights file");
        foreach (var f in features.Values) f.MoveToOuterDisposeScope();
        return features;
    }

    /// <summary>
    /// Extracts features for all <paramref name="images"/> batch by batch and hands each batch's features to
    /// <paramref name="sink"/> (disposed afterwards), so memory holds one batch, not the whole set. Returns the seconds spent.
    /// </summary>
    public double Run(Tensor images, Action<IReadOnlyDictionary<string, Tensor>> sink, IProgressReporter progress, string description)
    {
        long n = images.shape[0];
        var clock = Stopwatch.StartNew();
        using var task = progress.Start(description, n, "images");
        for (long start = 0; start < n; start += Options.BatchSize)
        {
            long count = Math.Min(Options.BatchSize, n - start);
            using var scope = NewDisposeScope();
            var features = Extract(images.narrow(0, start, count));
            sink(features);
            task.Advance(count);
            if ((start / Options.BatchSize) % TrimEveryBatches == TrimEveryBatches - 1) NativeHeap.ReleaseFreePages();
        }
        return clock.Elapsed.TotalSeconds;
    }

    static void CheckRange(Tensor images)
    {
        if (images.dtype == ScalarType.Byte) return;
        if (!images.is_floating_point()) throw new DeepscopeException($"images must be float in [0, 1] or uint8, got {images.dtype}");
        if (images.isnan().any().item<bool>()) throw new DeepscopeException("images contain NaN");
        using var scope = NewDisposeScope();
        double min = images.min().to_type(ScalarType.Float64).item<double>(), max = images.max().to_type(ScalarType.Float64).item<double>();
        if (min < 0 || max > 1)
            throw new DeepscopeException($"image values must be in [0, 1], found [{min:G4}, {max:G4}]" + (max > 1 ? " (divide 0-255 images by 255)" : ""));
    }

    public void Dispose() => _model.Dispose();
}
