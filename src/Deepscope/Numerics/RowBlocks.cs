using static TorchSharp.torch;

namespace Deepscope.Numerics;

/// <summary>
/// Statistics of a large float32 matrix accumulated block by block in float64, so memory stays at one block beyond
/// the matrix itself (a 60,000 x 4,000 matrix is never converted or centred as a whole).
/// </summary>
public static class RowBlocks
{
    /// <summary>Rows per block so that one float64 block is about 32 MB.</summary>
    public static long BlockRows(long columns) => Math.Max(1, (32L << 20) / (8 * Math.Max(1, columns)));

    public static IEnumerable<(long Start, long Length)> Of(long rows, long columns)
    {
        long block = BlockRows(columns);
        for (long start = 0; start < rows; start += block) yield return (start, Math.Min(block, rows - start));
    }

    /// <summary>Column means (D) float64.</summary>
    public static Tensor ColumnMeans(Tensor x)
    {
        using var single = zeros(x.shape[0], ScalarType.Int64);
        return ClassMeans(x, single, [x.shape[0]]).squeeze(0);
    }

    /// <summary>Per-class means (K, D) float64.</summary>
    public static Tensor ClassMeans(Tensor x, Tensor classIndex, long[] counts)
    {
        var sums = zeros(counts.Length, x.shape[1], ScalarType.Float64);
        foreach (var (start, length) in Of(x.shape[0], x.shape[1]))
        {
            using var scope = NewDisposeScope();
            sums.index_add_(0, classIndex.narrow(0, start, length), x.narrow(0, start, length).to_type(ScalarType.Float64), 1.0);
        }
        using var n = tensor(Array.ConvertAll(counts, c => (double)c)).unsqueeze(1);
        return sums.div_(n);
    }

    /// <summary>
    /// Scatter matrix sum_i (x_i - m_i)^T (x_i - m_i) (D, D) float64 where m_i = centres[centreIndex[i]], optionally
    /// dividing each column by <paramref name="scale"/> first.
    /// </summary>
    public static Tensor Scatter(Tensor x, Tensor centres, Tensor centreIndex, Tensor? scale = null)
    {
        long d = x.shape[1];
        var scatter = zeros(d, d, ScalarType.Float64);
        foreach (var (start, length) in Of(x.shape[0], d))
        {
            using var scope = NewDisposeScope();
            var block = x.narrow(0, start, length).to_type(ScalarType.Float64).sub_(centres.index_select(0, centreIndex.narrow(0, start, length)));
            if (scale is not null) block.div_(scale);
            scatter.addmm_(block.t(), block);
        }
        return scatter;
    }

    /// <summary>Sum over rows of ||(x_i - m_i) / scale||^4, the fourth-moment term of the Ledoit-Wolf estimate.</summary>
    public static double SumOfSquaredNormsSquared(Tensor x, Tensor centres, Tensor centreIndex, Tensor scale)
    {
        double total = 0;
        foreach (var (start, length) in Of(x.shape[0], x.shape[1]))
        {
            using var scope = NewDisposeScope();
            var block = x.narrow(0, start, length).to_type(ScalarType.Float64).sub_(centres.index_select(0, centreIndex.narrow(0, start, length))).div_(scale);
            total += block.square().sum(1).square().sum().item<double>();
        }
        return total;
    }

    /// <summary>
    /// Applies <paramref name="map"/> to row blocks of x and stacks the results (for transforms and predictions); by
    /// default blocks of about 32 MB, so temporaries such as <c>x - mean</c> never reach the size of x.
    /// </summary>
    public static Tensor Map(Tensor x, Func<Tensor, Tensor> map, long? blockRows = null)
    {
        long block = blockRows ?? BlockRows(x.shape[1]) * 2;
        // Each block's temporaries die with its scope; only its result leaves.
        Tensor Block(long start, long length)
        {
            using var scope = NewDisposeScope();
            return map(x.narrow(0, start, length)).MoveToOuterDisposeScope();
        }
        if (x.shape[0] <= block) return Block(0, x.shape[0]);
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < x.shape[0]; start += block)
                parts.Add(Block(start, Math.Min(block, x.shape[0] - start)));
            return cat(parts, 0);
        }
        finally { foreach (var p in parts) p.Dispose(); }
    }
}
