namespace Deepscope.Embedding;

/// <summary>
/// Barnes-Hut repulsion (van der Maaten 2014, scikit-learn's and openTSNE's method for small N): a quadtree over the
/// embedding, and a cell far enough from a point (width / distance &lt; angle) stands for its points at their centre
/// of mass. O(N log N) per iteration with a small constant, so below about ten thousand points it beats the FFT grid,
/// whose size follows the embedding's extent, not N.
/// </summary>
sealed class BarnesHutRepulsion(double angle) : IRepulsion
{
    /// <summary>Cells stop splitting at this depth, so coincident points share a leaf instead of recursing forever.</summary>
    const int MaxDepth = 48;
    /// <summary>Cells with this many points or fewer are leaves, their points summed exactly: cheaper than four more cells.</summary>
    const int LeafSize = 4;

    /// <summary>A cell: its points are order[PointStart..PointEnd); FirstChild is -1 for a leaf, else the first of four.</summary>
    struct Cell
    {
        public double MassX, MassY, CenterX, CenterY, HalfWidth;
        public int Count, FirstChild, PointStart, PointEnd;
    }

    // The tree, rebuilt each call, in one array so a visit touches one cache line (node 0 is the root).
    Cell[] cells = [];
    int nodes;
    int[] order = [];

    public double Compute(double[] y, int n, double[] repulsion)
    {
        Build(y, n);
        double theta2 = angle * angle;
        // Points in tree order: neighbours in one block walk the same cells, which keeps those cells in cache.
        return Parallelism.Sum(n, (start, end) =>
        {
            var stack = new int[4 * MaxDepth + 4];
            double z = 0;
            for (int e = start; e < end; e++)
            {
                int i = order[e];
                double yi0 = y[2 * i], yi1 = y[2 * i + 1], f0 = 0, f1 = 0;
                int top = 0;
                stack[top++] = 0;
                while (top > 0)
                {
                    ref readonly var cell = ref cells[stack[--top]];
                    double d0 = yi0 - cell.MassX, d1 = yi1 - cell.MassY, dist2 = d0 * d0 + d1 * d1;
                    double width = 2 * cell.HalfWidth;
                    // A cell holding the point itself is never summarised (possible for angles above 1/√2).
                    if (width * width < theta2 * dist2
                        && (Math.Abs(yi0 - cell.CenterX) > cell.HalfWidth || Math.Abs(yi1 - cell.CenterY) > cell.HalfWidth))
                    {
                        double q = 1 / (1 + dist2), cq = cell.Count * q;
                        z += cq;
                        f0 += cq * q * d0;
                        f1 += cq * q * d1;
                    }
                    else if (cell.FirstChild >= 0)
                    {
                        for (int c = cell.FirstChild; c < cell.FirstChild + 4; c++)
                            if (cells[c].Count > 0) stack[top++] = c;
                    }
                    else
                    {
                        for (int t = cell.PointStart; t < cell.PointEnd; t++)
                        {
                            int j = order[t];
                            if (j == i) continue;
                            double e0 = yi0 - y[2 * j], e1 = yi1 - y[2 * j + 1], q = 1 / (1 + e0 * e0 + e1 * e1);
                            z += q;
                            f0 += q * q * e0;
                            f1 += q * q * e1;
                        }
                    }
                }
                repulsion[2 * i] = f0;
                repulsion[2 * i + 1] = f1;
            }
            return z;
        });
    }

    /// <summary>Sorts the points into quadrants recursively (in place in <see cref="order"/>) and records each cell's mass.</summary>
    void Build(double[] y, int n)
    {
        double lo0 = double.MaxValue, hi0 = double.MinValue, lo1 = double.MaxValue, hi1 = double.MinValue;
        for (int i = 0; i < n; i++)
        {
            lo0 = Math.Min(lo0, y[2 * i]); hi0 = Math.Max(hi0, y[2 * i]);
            lo1 = Math.Min(lo1, y[2 * i + 1]); hi1 = Math.Max(hi1, y[2 * i + 1]);
        }
        if (order.Length != n)
        {
            order = new int[n];
            cells = new Cell[2 * n + 8];
        }
        for (int i = 0; i < n; i++) order[i] = i;
        nodes = 1;
        double half = Math.Max(Math.Max(hi0 - lo0, hi1 - lo1), 1e-12) / 2 * (1 + 1e-9);
        var scratch = new int[n];
        Split(0, (lo0 + hi0) / 2, (lo1 + hi1) / 2, half, 0, n, 0, y, scratch);
    }

    void Split(int node, double cx, double cy, double half, int start, int end, int depth, double[] y, int[] scratch)
    {
        double sx = 0, sy = 0;
        for (int t = start; t < end; t++) { sx += y[2 * order[t]]; sy += y[2 * order[t] + 1]; }
        bool leaf = end - start <= LeafSize || depth == MaxDepth;
        if (!leaf && nodes + 4 > cells.Length) Array.Resize(ref cells, 2 * cells.Length);
        int child = leaf ? -1 : nodes;
        if (!leaf) nodes += 4;
        cells[node] = new Cell
        {
            MassX = end > start ? sx / (end - start) : cx, MassY = end > start ? sy / (end - start) : cy,
            CenterX = cx, CenterY = cy, HalfWidth = half,
            Count = end - start, FirstChild = child, PointStart = start, PointEnd = end,
        };
        if (leaf) return;
        // Counting sort of [start, end) by quadrant (bit 0: right of cx, bit 1: above cy).
        Span<int> bounds = stackalloc int[5];
        bounds.Clear();
        for (int t = start; t < end; t++) bounds[Quadrant(order[t], cx, cy, y) + 1]++;
        bounds[0] = start;
        for (int q = 1; q <= 4; q++) bounds[q] += bounds[q - 1];
        Span<int> fill = stackalloc int[4];
        for (int q = 0; q < 4; q++) fill[q] = bounds[q];
        for (int t = start; t < end; t++) scratch[fill[Quadrant(order[t], cx, cy, y)]++] = order[t];
        Array.Copy(scratch, start, order, start, end - start);
        double h = half / 2;
        int b0 = bounds[0], b1 = bounds[1], b2 = bounds[2], b3 = bounds[3], b4 = bounds[4];
        Split(child, cx - h, cy - h, h, b0, b1, depth + 1, y, scratch);
        Split(child + 1, cx + h, cy - h, h, b1, b2, depth + 1, y, scratch);
        Split(child + 2, cx - h, cy + h, h, b2, b3, depth + 1, y, scratch);
        Split(child + 3, cx + h, cy + h, h, b3, b4, depth + 1, y, scratch);
    }

    static int Quadrant(int i, double cx, double cy, double[] y) => (y[2 * i] > cx ? 1 : 0) | (y[2 * i + 1] > cy ? 2 : 0);
}
