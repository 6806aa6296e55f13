using System.Diagnostics;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Models.Inference;

/// <summary>What <see cref="InferenceThroughput.Measure"/> runs: batch, timed and untimed batches, and which preparation steps.</summary>
public sealed record InferenceOptions
{
    public int Batch { get; init; } = 32;
    /// <summary>Timed batches; images/s is their image total over their wall time.</summary>
    public int Steps { get; init; } = 4;
    /// <summary>Untimed batches first (oneDNN builds its kernels on first use).</summary>
    public int Warmup { get; init; } = 1;
    /// <summary>Fold batch norms into convolutions (<see cref="BatchNormFolding"/>).</summary>
    public bool Fold { get; init; } = true;
    /// <summary>Channels-last weights and input; false keeps both NCHW.</summary>
    public bool ChannelsLast { get; init; } = true;
}

/// <summary>Inference speed of one model with its arithmetic rate against the machine's peak.</summary>
public sealed record InferenceReport(string Model, long[] InputShape, int Batch, int Steps, int Threads, bool Fold, bool ChannelsLast,
    int FoldedBatchNorms, double ImagesPerSecond, long MacsPerImage, MachinePeak Peak)
{
    /// <summary>GFLOP/s from the model's forward multiply-adds as defined (thop's count), 2 FLOPs each.</summary>
    public double GflopsPerSecond => 2.0 * MacsPerImage * ImagesPerSecond / 1e9;
    public double PercentOfPeak => 100 * GflopsPerSecond / Peak.GflopsPerSecond;
}

/// <summary>
/// Times forward passes as Deepscope's inference runs them (<see cref="InferencePreparation"/>, then batches under
/// inference mode) on random images in [0, 1), as bench/peers/torch_infer_throughput.py does in PyTorch (eval, no_grad).
/// </summary>
public static class InferenceThroughput
{
    public static InferenceReport Measure(ModelSpec spec, ModelShape shape, InferenceOptions options, MachinePeak peak)
    {
        random.manual_seed(0);
        long macs = ModelZoo.MacsPerImage(spec, shape);
        using var model = spec.Create(shape);
        int folded = InferencePreparation.Prepare(model, fold: options.Fold, channelsLast: options.ChannelsLast);
        using var images = rand(options.Batch, shape.Channels, shape.ImageSize, shape.ImageSize);
        using var x = options.ChannelsLast ? MemoryFormat.ChannelsLast(images) : images.alias();
        using var _ = inference_mode();
        for (int i = 0; i < options.Warmup; i++)
            using (var scope = NewDisposeScope()) model.call(x);
        var wall = Stopwatch.StartNew();
        for (int i = 0; i < options.Steps; i++)
            using (var scope = NewDisposeScope()) model.call(x);
        double rate = options.Batch * options.Steps / wall.Elapsed.TotalSeconds;
        return new InferenceReport(spec.Name, [shape.Channels, shape.ImageSize, shape.ImageSize], options.Batch, options.Steps, get_num_threads(),
            options.Fold, options.ChannelsLast, folded, rate, macs, peak);
    }
}
