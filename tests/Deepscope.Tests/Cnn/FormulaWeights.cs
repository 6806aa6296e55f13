using static TorchSharp.torch;

namespace Deepscope.Tests.Cnn;

/// <summary>
/// The closed-form weights and inputs of Fixtures/Cnn/torchvision_reference.py, rebuilt bit for bit: an integer hash
/// of (index, key) in int64 tensor arithmetic, scaled in float64 and rounded once to float32.
/// </summary>
static class FormulaWeights
{
    const long Chunk = 1 << 23;
    const long TwoTo32 = 1L << 32;

    public static long KeySeed(string key)
    {
        long s = 0;
        foreach (char c in key) s = (s * 131 + c) % TwoTo32;
        return s;
    }

    /// <summary>n numbers in [0, 1), float64.</summary>
    public static Tensor Values(long n, long seed)
    {
        var output = empty(n, ScalarType.Float64);
        for (long start = 0; start < n; start += Chunk)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(Chunk, n - start);
            var x = arange(start, start + count, ScalarType.Int64).mul(2654435761L).add(seed).remainder(TwoTo32);
            x = x.bitwise_xor(x.div(1L << 15, RoundingMode.floor));
            x = x.mul(1540483477L).remainder(TwoTo32);
            x = x.bitwise_xor(x.div(1L << 13, RoundingMode.floor));
            output.narrow(0, start, count).copy_(x.to_type(ScalarType.Float64).div(TwoTo32));
        }
        return output;
    }

    public static Tensor Parameter(string key, long[] shape)
    {
        using var scope = NewDisposeScope();
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var u = Values(n, KeySeed(key));
        var leaf = key[(key.LastIndexOf('.') + 1)..];
        Tensor v;
        if (leaf == "weight" && shape.Length >= 2) v = (u - 0.5) * Math.Sqrt(24.0 / shape.Skip(1).Aggregate(1L, (a, b) => a * b));
        else if (leaf == "running_var" || (leaf == "weight" && shape.Length == 1)) v = u + 0.5;
        else v = (u - 0.5) * 0.2;
        return v.to_type(ScalarType.Float32).reshape(shape).MoveToOuterDisposeScope();
    }

    public static Tensor Input(string key, params long[] shape) =>
        Values(shape.Aggregate(1L, (a, b) => a * b), KeySeed(key)).to_type(ScalarType.Float32).reshape(shape);

    /// <summary>Overwrites every parameter and running statistic of <paramref name="model"/> with the formula.</summary>
    public static void Fill(nn.Module model)
    {
        using var _ = no_grad();
        foreach (var (key, t) in model.state_dict())
            if (!key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                using (var v = Parameter(key, t.shape)) t.copy_(v);
    }
}
