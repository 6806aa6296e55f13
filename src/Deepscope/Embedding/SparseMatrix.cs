namespace Deepscope.Embedding;

/// <summary>A square sparse matrix in CSR form (rows sorted by column), as t-SNE's P and UMAP's fuzzy graph are.</summary>
public sealed class SparseMatrix
{
    public SparseMatrix(int size, int[] rowStart, int[] columns, double[] values)
    {
        Size = size;
        RowStart = rowStart;
        Columns = columns;
        Values = values;
    }

    public int Size { get; }
    /// <summary>Row i holds entries RowStart[i] .. RowStart[i+1]-1.</summary>
    public int[] RowStart { get; }
    public int[] Columns { get; }
    public double[] Values { get; }
    public int NonZeros => Columns.Length;

    /// <summary>
    /// The symmetric matrix S with S_ij = combine(A_ij, A_ji) over the union of both patterns (absent entries are 0),
    /// built from the rows of a neighbour graph: A_ij = values[i*k + j'] for j = graph.Neighbor(i, j').
    /// </summary>
    public static SparseMatrix Symmetrize(NeighborGraph graph, double[] values, Func<double, double, double> combine)
    {
        int n = graph.Count, k = graph.K;
        long entries = 2L * n * k;
        var keys = new long[entries];
        var vals = new double[entries];
        var fromTranspose = new bool[entries];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
            {
                long e = (long)i * k + j;
                int c = graph.Indices[e];
                keys[2 * e] = (long)i * n + c;
                vals[2 * e] = values[e];
                keys[2 * e + 1] = (long)c * n + i;
                vals[2 * e + 1] = values[e];
                fromTranspose[2 * e + 1] = true;
            }
        var order = new int[entries];
        for (int e = 0; e < entries; e++) order[e] = e;
        Array.Sort(keys, order);

        var rowStart = new int[n + 1];
        var columns = new List<int>((int)Math.Min(entries, int.MaxValue));
        var result = new List<double>(columns.Capacity);
        for (long e = 0; e < entries;)
        {
            long key = keys[e];
            double direct = 0, transposed = 0;
            for (; e < entries && keys[e] == key; e++)
            {
                int o = order[e];
                if (fromTranspose[o]) transposed = vals[o]; else direct = vals[o];
            }
            double v = combine(direct, transposed);
            if (v == 0) continue;
            rowStart[(int)(key / n) + 1]++;
            columns.Add((int)(key % n));
            result.Add(v);
        }
        for (int i = 0; i < n; i++) rowStart[i + 1] += rowStart[i];
        return new SparseMatrix(n, rowStart, [.. columns], [.. result]);
    }

    /// <summary>Y = this · X for X (Size, p) row-major, rows in parallel.</summary>
    public double[] Multiply(double[] x, int p)
    {
        var y = new double[Size * p];
        Parallel.For(0, Size, i =>
        {
            for (int e = RowStart[i]; e < RowStart[i + 1]; e++)
            {
                double v = Values[e];
                int c = Columns[e];
                for (int d = 0; d < p; d++) y[i * p + d] += v * x[c * p + d];
            }
        });
        return y;
    }

    public double[] RowSums()
    {
        var sums = new double[Size];
        for (int i = 0; i < Size; i++)
            for (int e = RowStart[i]; e < RowStart[i + 1]; e++) sums[i] += Values[e];
        return sums;
    }

    /// <summary>Connected components (labels 0..count-1), treating every stored entry as an edge.</summary>
    public (int Count, int[] Labels) Components()
    {
        var labels = Enumerable.Repeat(-1, Size).ToArray();
        int count = 0;
        var stack = new Stack<int>();
        for (int s = 0; s < Size; s++)
        {
            if (labels[s] >= 0) continue;
            labels[s] = count;
            stack.Push(s);
            while (stack.Count > 0)
            {
                int i = stack.Pop();
                for (int e = RowStart[i]; e < RowStart[i + 1]; e++)
                    if (labels[Columns[e]] < 0) { labels[Columns[e]] = count; stack.Push(Columns[e]); }
            }
            count++;
        }
        return (count, labels);
    }
}
