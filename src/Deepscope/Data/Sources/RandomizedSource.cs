using System.Globalization;
using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>The randomisation tests of Zhang et al. (2017), section 2.</summary>
public enum RandomizationKind
{
    /// <summary>The data as they are.</summary>
    TrueLabels,
    /// <summary>Each label replaced with probability p by a uniformly random class (which may be the true one).</summary>
    CorruptLabels,
    /// <summary>Every label uniformly random (corrupt labels with p = 1).</summary>
    RandomLabels,
    /// <summary>One permutation of the pixel positions applied to every image (channels move together).</summary>
    ShuffledPixels,
    /// <summary>A different random permutation of the pixel positions for each image.</summary>
    RandomPixels,
    /// <summary>Images drawn from a Gaussian with the data set's per-channel mean and standard deviation.</summary>
    Gaussian,
}

/// <summary>A randomisation test, written as on the command line: <c>labels:0.4</c>, <c>random-labels</c>, <c>shuffled-pixels</c>, ...</summary>
public sealed record Randomization(RandomizationKind Kind, double Probability = 0)
{
    public static Randomization None { get; } = new(RandomizationKind.TrueLabels);

    public const string Syntax = "true-labels, labels:P (P in [0, 1]), random-labels, shuffled-pixels, random-pixels or gaussian";

    public static Randomization Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t.StartsWith("labels:", StringComparison.Ordinal))
        {
            if (!double.TryParse(t["labels:".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var p) || p is < 0 or > 1)
                throw new DeepscopeException($"randomisation '{text}': the corruption probability must be a number in [0, 1]");
            return new Randomization(RandomizationKind.CorruptLabels, p);
        }
        return t switch
        {
            "none" or "true-labels" => None,
            "random-labels" => new(RandomizationKind.RandomLabels, 1),
            "shuffled-pixels" => new(RandomizationKind.ShuffledPixels),
            "random-pixels" => new(RandomizationKind.RandomPixels),
            "gaussian" => new(RandomizationKind.Gaussian),
            _ => throw new DeepscopeException($"unknown randomisation '{text}'; use {Syntax}"),
        };
    }

    /// <summary>The share of labels drawn at random: p for corrupt labels, 1 for random labels, else 0.</summary>
    public double LabelNoise => Kind switch { RandomizationKind.CorruptLabels => Probability, RandomizationKind.RandomLabels => 1, _ => 0 };

    public bool ChangesLabels => LabelNoise > 0;
    public bool ChangesImages => Kind is RandomizationKind.ShuffledPixels or RandomizationKind.RandomPixels or RandomizationKind.Gaussian;

    /// <summary>
    /// What the test images get: Zhang et al. apply shuffled pixels' one permutation to the test set as well, so that its
    /// test error means something; every other randomisation leaves the test set true.
    /// </summary>
    public Randomization ForTest => Kind == RandomizationKind.ShuffledPixels ? this : None;

    public override string ToString() => Kind switch
    {
        RandomizationKind.TrueLabels => "true-labels",
        RandomizationKind.CorruptLabels => string.Create(CultureInfo.InvariantCulture, $"labels:{Probability:0.###}"),
        RandomizationKind.RandomLabels => "random-labels",
        RandomizationKind.ShuffledPixels => "shuffled-pixels",
        RandomizationKind.RandomPixels => "random-pixels",
        _ => "gaussian",
    };
}

/// <summary>
/// A training source under a randomisation test (Zhang et al. 2017): labels corrupted, pixels permuted or images
/// replaced by Gaussian noise. Everything is a pure function of the seed and the example's index, not of the epoch,
/// so the randomised data set is fixed by the seed and identical in every epoch (the paper's setting: the network must
/// memorise it). Wrap only the training set; the test set keeps its true labels. Gaussian images come out as float32
/// in the source's units divided by 255 for uint8 sources (what <c>InputTransform</c> reads as [0, 1] floats), not clipped.
/// </summary>
public sealed class RandomizedSource : IDataSource
{
    readonly IDataSource _source;
    readonly ulong _seed;
    readonly Tensor? _shuffle;
    readonly float[] _mean = [], _std = [];

    public RandomizedSource(IDataSource source, Randomization randomization, ulong seed)
    {
        (_source, Randomization, _seed) = (source, randomization, seed);
        var input = source.Fields.FirstOrDefault(f => f.Name == Sources.Fields.Input);
        if (randomization.ChangesLabels && (source.Classes.Count < 2 || !source.Fields.Any(f => f.Name == Sources.Fields.Label)))
            throw new DeepscopeException($"randomisation {randomization} needs a source with class labels");
        if (randomization.ChangesImages && input is not { Shape: [_, > 0, > 0] })
            throw new DeepscopeException($"randomisation {randomization} needs image inputs (C, H, W)");
        Fields = randomization.Kind == RandomizationKind.Gaussian
            ? [.. source.Fields.Select(f => f.Name == Sources.Fields.Input ? f with { DType = ScalarType.Float32 } : f)]
            : source.Fields;
        if (randomization.Kind == RandomizationKind.ShuffledPixels)
            _shuffle = Permutation(input!.Shape[1] * input.Shape[2], SplitMix64.Derive(seed, Streams.ShuffledPixels));
        if (randomization.Kind == RandomizationKind.Gaussian)
            (_mean, _std) = ChannelStatistics(source);
    }

    /// <summary>Random streams of the seed, one per use, so that e.g. corrupt and random labels of one seed agree where both draw.</summary>
    static class Streams
    {
        public const ulong LabelCoin = 1, LabelClass = 2, ShuffledPixels = 3, RandomPixels = 4, Gaussian = 5;
    }

    public Randomization Randomization { get; }
    public long Count => _source.Count;
    public IReadOnlyList<FieldSpec> Fields { get; }
    public IReadOnlyList<string> Classes => _source.Classes;

    /// <summary>Example <paramref name="index"/>'s label after randomisation, given its true <paramref name="label"/>.</summary>
    public long LabelOf(long index, long label)
    {
        double coin = (SplitMix64.Derive(_seed, Streams.LabelCoin, (ulong)index) >> 11) * (1.0 / (1UL << 53));
        return coin < Randomization.LabelNoise ? (long)(SplitMix64.Derive(_seed, Streams.LabelClass, (ulong)index) % (ulong)Classes.Count) : label;
    }

    public Batch Read(ReadOnlySpan<long> indices, int epoch)
    {
        var rows = indices.ToArray();
        var batch = _source.Read(indices, epoch: 0);
        if (Randomization.Kind == RandomizationKind.TrueLabels) return batch;
        using (batch)
            return SourceRows.Collect(() =>
            {
                var fields = batch.Names.ToDictionary(n => n, n => batch[n].alias());
                if (Randomization.ChangesLabels)
                {
                    var labels = batch[Sources.Fields.Label].data<long>().ToArray();
                    fields[Sources.Fields.Label] = tensor(rows.Select((index, i) => LabelOf(index, labels[i])).ToArray());
                }
                if (Randomization.ChangesImages) fields[Sources.Fields.Input] = Images(batch[Sources.Fields.Input], rows);
                return fields;
            });
    }

    Tensor Images(Tensor images, long[] rows)
    {
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        var flat = images.reshape(n, c, h * w);
        switch (Randomization.Kind)
        {
            case RandomizationKind.ShuffledPixels:
                return flat.index_select(2, _shuffle!).view(n, c, h, w);
            case RandomizationKind.RandomPixels:
                var perms = stack(rows.Select(r => Permutation(h * w, SplitMix64.Derive(_seed, Streams.RandomPixels, (ulong)r))).ToArray());
                return flat.gather(2, perms.unsqueeze(1).expand(n, c, h * w)).view(n, c, h, w);
            default:
                using (var mean = tensor(_mean).view(1, c, 1, 1))
                using (var std = tensor(_std).view(1, c, 1, 1))
                {
                    var noise = stack(rows.Select(r =>
                    {
                        using var g = new Generator(SplitMix64.Derive(_seed, Streams.Gaussian, (ulong)r));
                        return randn([c, h, w], generator: g);
                    }).ToArray());
                    return noise.mul_(std).add_(mean);
                }
        }
    }

    static Tensor Permutation(long size, ulong seed)
    {
        using var g = new Generator(seed);
        return randperm(size, generator: g);
    }

    /// <summary>Per-channel mean and standard deviation of the source's images (in [0, 1] units for uint8), in float64, chunk by chunk.</summary>
    static (float[] Mean, float[] Std) ChannelStatistics(IDataSource source)
    {
        const long chunk = 2048;
        Tensor? sum = null, squares = null;
        long values = 0;
        for (long start = 0; start < source.Count; start += chunk)
        {
            using var scope = NewDisposeScope();
            var rows = Enumerable.Range(0, (int)Math.Min(chunk, source.Count - start)).Select(i => start + i).ToArray();
            using var batch = source.Read(rows, epoch: 0);
            var x = batch[Sources.Fields.Input].to_type(ScalarType.Float64);
            if (batch[Sources.Fields.Input].dtype == ScalarType.Byte) x = x.div_(255);
            var s = x.sum([0, 2, 3]);
            var q = x.square().sum([0, 2, 3]);
            sum = (sum is null ? s : sum + s).MoveToOuterDisposeScope();
            squares = (squares is null ? q : squares + q).MoveToOuterDisposeScope();
            values += x.shape[0] * x.shape[2] * x.shape[3];
        }
        using (sum) using (squares)
        {
            var mean = sum!.div(values);
            var std = squares!.div(values).sub_(mean.square()).clamp_min_(0).sqrt_();
            return (mean.to_type(ScalarType.Float32).data<float>().ToArray(), std.to_type(ScalarType.Float32).data<float>().ToArray());
        }
    }

    /// <summary>Every example at once (for in-memory training): each field's rows concatenated, read in chunks.</summary>
    public Batch ReadAll(long chunk = 4096)
    {
        var parts = new List<Batch>();
        try
        {
            for (long start = 0; start < Count; start += chunk)
                parts.Add(Read(Enumerable.Range(0, (int)Math.Min(chunk, Count - start)).Select(i => start + i).ToArray(), epoch: 0));
            return SourceRows.Collect(() => parts[0].Names.ToDictionary(n => n, n => cat(parts.Select(p => p[n]).ToArray())));
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }
}
