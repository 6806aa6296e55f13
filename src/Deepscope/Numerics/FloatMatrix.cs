using static TorchSharp.torch;

namespace Deepscope.Numerics;

/// <summary>
/// Feature matrices (N, D) as the numeric code wants them: float32 contiguous without copying when they already are,
/// and the one finite-value check of the project, blockwise and naming the first bad entry.
/// </summary>
public static class FloatMatrix
{
    /// <summary>Runs <paramref name="use"/> on x as float32 contiguous, disposing the converted copy if one was needed.</summary>
    public static T WithFloat32<T>(Tensor x, Func<Tensor, T> use)
    {
        var input = AsFloat32(x);
        try { return use(input); }
        finally { if (!ReferenceEquals(input, x)) input.Dispose(); }
    }

    /// <summary>x as float32 contiguous: itself when it already is (no copy), else a converted copy.</summary>
    public static Tensor AsFloat32(Tensor x) =>
        x.dtype == ScalarType.Float32 && x.is_contiguous() ? x : x.to_type(ScalarType.Float32).contiguous();

    /// <summary>Throws naming the first NaN or infinity (row, column).</summary>
    public static void CheckFinite(Tensor x)
    {
        // Blockwise so a huge matrix costs no full-size boolean temporary.
        long rows = x.shape[0], block = Math.Max(1, (1 << 22) / Math.Max(1, x.shape[1]));
        for (long start = 0; start < rows; start += block)
        {
            using var scope = NewDisposeScope();
            var part = x.narrow(0, start, Math.Min(block, rows - start));
            var bad = part.isfinite().logical_not();
            if (bad.any().item<bool>())
            {
                var at = bad.nonzero()[0];
                long row = start + at[0].item<long>(), column = at[1].item<long>();
                float value = part[at[0], at[1]].to_type(ScalarType.Float32).item<float>();
                throw new DeepscopeException($"the features hold a non-finite value ({value}) at row {row}, column {column}");
            }
        }
    }
}
