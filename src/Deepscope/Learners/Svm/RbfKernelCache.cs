using Deepscope.Numerics;
namespace Deepscope.Learners;

/// <summary>
/// Rows K(x_a, x_t) = exp(-gamma ||x_a - x_t||^2) of one binary problem (rows <c>members</c> of the training matrix),
/// computed on demand from the matrix in place (||a||^2 + ||t||^2 - 2 a.t, SIMD dot products, split across threads)
/// and kept in a least-recently-used cache bounded in bytes, as LIBSVM does.
/// </summary>
sealed class RbfKernelCache : IKernelRows
{
    readonly NativeMatrix _x;
    readonly int[] _members;
    readonly float[] _norms;
    readonly float _gamma;
    readonly float[]?[] _rows;
    readonly LinkedList<int> _recent = new();
    readonly LinkedListNode<int>?[] _nodes;
    readonly int _capacity;

    /// <param name="norms">Squared norms of all rows of the matrix.</param>
    public RbfKernelCache(NativeMatrix x, int[] members, float[] norms, double gamma, long cacheBytes)
    {
        _x = x;
        _members = members;
        _norms = norms;
        _gamma = (float)gamma;
        _rows = new float[members.Length][];
        _nodes = new LinkedListNode<int>[members.Length];
        // At least two rows: the solver holds rows i and j at once.
        _capacity = (int)Math.Clamp(cacheBytes / (4L * Math.Max(1, members.Length)), 2, members.Length);
    }

    public int Count => _members.Length;
    public long Computed { get; private set; }
    public long Requests { get; private set; }
    public double Diagonal(int i) => 1.0;

    public ReadOnlySpan<float> Row(int i)
    {
        Requests++;
        if (_rows[i] is { } cached)
        {
            _recent.Remove(_nodes[i]!);
            _recent.AddFirst(_nodes[i]!);
            return cached;
        }
        float[] row;
        if (_recent.Count >= _capacity)
        {
            var last = _recent.Last!;
            _recent.RemoveLast();
            row = _rows[last.Value]!;
            _rows[last.Value] = null;
            _nodes[last.Value] = null;
        }
        else row = new float[_members.Length];
        Fill(i, row);
        _rows[i] = row;
        _nodes[i] = _recent.AddFirst(i);
        Computed++;
        return row;
    }

    void Fill(int i, float[] row)
    {
        long a = _members[i];
        var x = _x;
        var members = _members;
        var norms = _norms;
        float gamma = _gamma, normA = norms[a];
        int n = members.Length;
        void Range(int from, int to)
        {
            var xa = x.Row(a);
            for (int t = from; t < to; t++)
            {
                long b = members[t];
                float distance = normA + norms[b] - 2 * NativeMatrix.Dot(xa, x.Row(b));
                row[t] = MathF.Exp(-gamma * Math.Max(0f, distance));
            }
            if (from <= i && i < to) row[i] = 1f;
        }
        // Split only when the row is worth a thread hand-off (~0.2 M multiply-adds or more).
        const long grain = 1 << 18;
        int blocks = (int)Math.Min(Environment.ProcessorCount * 4L, Math.Max(1, (long)n * x.Columns / grain));
        if (blocks <= 1) { Range(0, n); return; }
        int size = (n + blocks - 1) / blocks;
        Parallel.For(0, blocks, b => Range(b * size, Math.Min(n, (b + 1) * size)));
    }
}
