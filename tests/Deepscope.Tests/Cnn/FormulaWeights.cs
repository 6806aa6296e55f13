using static TorchSharp.torch;

namespace Deepscope.Tests.Cnn;

/// <summary>
/// The closed-form weights and inputs of Fixtures/Cnn/torchvision_reference.py, rebuilt bit for bit: an integer hash
/// of (index, key) in int64 tensor arithmetic, scaled in float64 and rounded once to float32.
/// </summary>
static class FormulaWeights
{
    const long Chunk = 1 << 22;
    const long TwoTo32 = 1L << 32;

    public static long KeySeed(string key)
    {
        long s = 0;
        foreach (char c in key) s = (s * 131 + c) % TwoTo32;
        return s;
    }

    /// <summary>map(u) for n hash values u in [0, 1) (float64), as float32, computed chunk by chunk.</summary>
    static Tensor Values(long n, long seed, Func<Tensor, Tensor> map)
    {
        var output = empty(n, ScalarType.Float32);
        using var mask = tensor(TwoTo32 - 1);
        for (long start = 0; start < n; start += Chunk)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(Chunk, n - start);
            // Masks and shifts: the script's % 2**32 and // 2**k on non-negative integers, without integer division.
            var x = arange(start, start + count, ScalarType.Int64).mul_(2654435761L).add_(seed).bitwise_and_(mask);
            x.bitwise_xor_(x.bitwise_right_shift(15));
            x.mul_(1540483477L).bitwise_and_(mask);
            x.bitwise_xor_(x.bitwise_right_shift(13));
            output.narrow(0, start, count).copy_(map(x.to_type(ScalarType.Float64).div_(TwoTo32)));
        }
        return output;
    }

    public static Tensor Parameter(string key, long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var leaf = key[(key.LastIndexOf('.') + 1)..];
        Func<Tensor, Tensor> map;
        if (leaf == "weight" && shape.Length >= 2)
        {
            double scale = Math.Sqrt(24.0 / shape.Skip(1).Aggregate(1L, (a, b) => a * b));
            map = u => u.sub_(0.5).mul_(scale);
        }
        else if (leaf == "running_var" || (leaf == "weight" && shape.Length == 1)) map = u => u.add_(0.5);
        else map = u => u.sub_(0.5).mul_(0.2);
        using var flat = Values(n, KeySeed(key), map);
        return flat.reshape(shape);
    }

    public static Tensor Input(string key, params long[] shape)
    {
        using var flat = Values(shape.Aggregate(1L, (a, b) => a * b), KeySeed(key), u => u);
        return flat.reshape(shape);
    }

    /// <summary>Overwrites every parameter and running statistic of <paramref name="model"/> with the formula.</summary>
    public static void Fill(nn.Module model)
    {
        using var _ = no_grad();
        foreach (var (key, t) in model.state_dict())
            if (!key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                using (var v = Parameter(key, t.shape)) t.copy_(v);
    }
}
