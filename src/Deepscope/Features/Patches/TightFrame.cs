using System.Diagnostics;
using System.Text.Json.Nodes;
using Deepscope.Data;
using static TorchSharp.torch;

namespace Deepscope.Features.Patches;

/// <summary>
/// Statistics of a geometric tight frame (Liu, Chan, Yang, Yao and Wang, "Geometric tight frame based stylometry for
/// art authentication of van Gogh paintings", ACHA 2016): 18 filters of 3x3 — the piecewise-linear B-spline framelets
/// and directional ones — whose squared Fourier magnitudes sum to one, so the coefficients keep the image's energy
/// (Parseval). Per filter and channel: the coefficients' mean, standard deviation (ddof = 1) and the fraction lying
/// more than one standard deviation from the mean (the tail mass that tells a confident stroke from a hesitant one).
/// </summary>
public static class TightFrame
{
    public const int FilterCount = 18;
    public const int StatisticsPerFilter = 3;

    static readonly double S2 = Math.Sqrt(2), S7 = Math.Sqrt(7);

    /// <summary>The filters, each 3x3 row-major, as convolution kernels (applied flipped, as scipy's convolve2d does).</summary>
    public static IReadOnlyList<double[]> Filters { get; } =
    [
        Scaled(1 / 16.0, 1, 2, 1, 2, 4, 2, 1, 2, 1),
        Scaled(1 / 16.0, 1, 0, -1, 2, 0, -2, 1, 0, -1),
        Scaled(1 / 16.0, 1, 2, 1, 0, 0, 0, -1, -2, -1),
        Scaled(S2 / 16, 1, 1, 0, 1, 0, -1, 0, -1, -1),
        Scaled(S2 / 16, 0, 1, 1, -1, 0, 1, -1, -1, 0),
        Scaled(S7 / 24, 1, 0, -1, 0, 0, 0, -1, 0, 1),
        Scaled(1 / 48.0, -1, 2, -1, -2, 4, -2, -1, 2, -1),
        Scaled(1 / 48.0, -1, -2, -1, 2, 4, 2, -1, -2, -1),
        Scaled(1 / 12.0, 0, 0, -1, 0, 2, 0, -1, 0, 0),
        Scaled(1 / 12.0, -1, 0, 0, 0, 2, 0, 0, 0, -1),
        Scaled(S2 / 12, 0, 1, 0, -1, 0, -1, 0, 1, 0),
        Scaled(S2 / 16, -1, 0, 1, 2, 0, -2, -1, 0, 1),
        Scaled(S2 / 16, -1, 2, -1, 0, 0, 0, 1, -2, 1),
        Scaled(1 / 48.0, 1, -2, 1, -2, 4, -2, 1, -2, 1),
        Scaled(S2 / 12, 0, 0, 0, -1, 2, -1, 0, 0, 0),
        Scaled(S2 / 24, -1, 2, -1, 0, 0, 0, -1, 2, -1),
        Scaled(S2 / 12, 0, -1, 0, 0, 2, 0, 0, -1, 0),
        Scaled(S2 / 24, -1, 0, -1, 2, 0, 2, -1, 0, -1),
    ];

    static double[] Scaled(double factor, params double[] values) => values.Select(v => v * factor).ToArray();

    /// <summary>The bank as a conv2d weight (18, 1, 3, 3), flipped so conv2d (a correlation) computes the convolution.</summary>
    public static Tensor Weight(ScalarType dtype = ScalarType.Float32)
    {
        var flipped = Filters.SelectMany(f => f.Reverse()).Select(v => (float)v).ToArray();
        return tensor(flipped, [FilterCount, 1, 3, 3]).to_type(dtype);
    }

    /// <summary>
    /// Coefficients of images (N, C, H, W): (N, C * 18, H, W), zero-padded to the same size (scipy's mode 'same').
    /// </summary>
    public static Tensor Coefficients(Tensor images)
    {
        using var scope = NewDisposeScope();
        long n = images.shape[0], c = images.shape[1];
        using var weight = Weight(images.dtype);
        var flat = images.reshape(n * c, 1, images.shape[2], images.shape[3]);
        return Models.ConvolutionDispatch.Conv2d(flat, weight, null, [1, 1], [1, 1], [1, 1], 1).reshape(n, c * FilterCount, images.shape[2], images.shape[3]).MoveToOuterDisposeScope();
    }

    /// <summary>Features of images (N, C, H, W): (N, C * 54), per channel the 18 means, then 18 deviations, then 18 tail fractions.</summary>
    public static Tensor Statistics(Tensor images)
    {
        using var scope = NewDisposeScope();
        long n = images.shape[0], c = images.shape[1];
        var coefficients = Coefficients(images.to_type(ScalarType.Float32)).reshape(n, c, FilterCount, -1);
        var mean = coefficients.mean([-1L]);
        var std = coefficients.std([-1L], unbiased: true, keepdim: false);
        var tail = (coefficients - mean.unsqueeze(-1)).abs_().gt(std.unsqueeze(-1)).to_type(ScalarType.Float32).mean([-1L]);
        return cat([mean, std, tail], 2).reshape(n, -1).MoveToOuterDisposeScope();
    }
}

/// <summary>The tight frame takes no parameters.</summary>
public sealed record TightFrameOptions;

/// <summary>Tight-frame statistics of every image (<see cref="TightFrame.Statistics"/>) as a feature set.</summary>
public sealed class TightFrameExtractor : IFeatureExtractor
{
    const long Batch = 64;

    public FeatureSetInfo Extract(string folder, string dataset, LabeledImages train, LabeledImages test, IProgressReporter progress)
    {
        var clock = Stopwatch.StartNew();
        long channels = train.ImageShape[0];
        long[] shape = [channels, TightFrame.StatisticsPerFilter, TightFrame.FilterCount];
        using var writer = new FeatureSetWriter(folder, FeatureExtractors.Product(shape));
        foreach (var (split, images) in FeatureExtractors.Splits(train, test))
        {
            using var task = progress.Start($"tight frame {dataset} {split.ToString().ToLowerInvariant()}", images.Count, "images");
            for (long start = 0; start < images.Count; start += Batch)
            {
                using var scope = NewDisposeScope();
                long n = Math.Min(Batch, images.Count - start);
                var batch = images.Images.narrow(0, start, n);
                var pixels = batch.dtype == ScalarType.Byte ? batch.to_type(ScalarType.Float32).div_(255f) : batch.to_type(ScalarType.Float32);
                if (pixels.dim() == 3) pixels = pixels.unsqueeze(1);
                writer.Append(split, TightFrame.Statistics(pixels), images.Labels.narrow(0, start, n));
                task.Advance(n);
            }
        }
        var settings = new JsonObject { ["filters"] = "Liu et al. 2016, 18 3x3", ["statistics"] = "mean, std (ddof=1), fraction beyond one std" };
        writer.Complete(FeatureExtractors.Info(dataset, "tight-frame", settings, shape, train, clock));
        return FeatureSet.ReadInfo(folder);
    }
}
