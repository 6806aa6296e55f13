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
        if (FirstNonFinite(x) is { } bad)
            throw new DeepscopeException($"the features hold a non-finite value ({bad.Value}) at row {bad.Row}, column {bad.Column}");
    }

    /// <summary>
    /// The same check for data read from <paramref name="file"/>: throws naming the file and the first bad row, counted
    /// from <paramref name="firstRow"/> when x is a batch of a larger array. Dimensions after the first are flattened.
    /// </summary>
    public static void CheckFinite(Tensor x, string file, long firstRow = 0)
    {
        if (FirstNonFinite(x) is { } bad)
            throw new InvalidDataFileException(file, $"contains NaN or infinite values (row {firstRow + bad.Row}), the first {bad.Value} at column {bad.Column}");
    }

    static (long Row, long Column, string Value)? FirstNonFinite(Tensor x)
    {
        if (x.dim() == 0 || x.shape[0] == 0) return null;
        using var rowsView = x.dim() == 2 ? x.alias() : x.reshape(x.shape[0], -1);
        // Blockwise so a huge matrix costs no full-size boolean temporary.
        long rows = rowsView.shape[0], block = Math.Max(1, (1 << 22) / Math.Max(1, rowsView.shape[1]));
        for (long start = 0; start < rows; start += block)
        {
            using var scope = NewDisposeScope();
            var part = rowsView.narrow(0, start, Math.Min(block, rows - start));
            var bad = part.isfinite().logical_not();
            if (bad.any().item<bool>())
            {
                var at = bad.nonzero()[0];
                return (start + at[0].item<long>(), at[1].item<long>(), part[at[0], at[1]].to_type(ScalarType.Float32).item<float>().ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return null;
    }
}
