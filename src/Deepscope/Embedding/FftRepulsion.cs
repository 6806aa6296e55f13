using static TorchSharp.torch;

namespace Deepscope.Embedding;

/// <summary>
/// t-SNE's repulsive forces in 2-D in O(N) by polynomial interpolation on an equispaced grid and FFT convolution
/// (Linderman et al. 2019, "Fast interpolation-based t-SNE", the method of FIt-SNE and openTSNE). With the Cauchy kernel
/// q = 1/(1+|yᵢ-yⱼ|²) all needed sums come from one convolution with q² of four charges (1, y₁, y₂, |y|²):
/// Z = Σᵢⱼ q = Σ q²(1+|yᵢ-yⱼ|²), and Σⱼ q²(yᵢ-yⱼ) = yᵢ Σⱼ q² - Σⱼ q² yⱼ.
/// </summary>
sealed class FftRepulsion(int interpolationPoints, int minIntervals, double intervalsPerUnit) : IRepulsion
{
    const int Charges = 4;
    readonly double[] nodes = Enumerable.Range(0, interpolationPoints).Select(j => (j + 0.5) / interpolationPoints).ToArray();

    /// <summary>
    /// Writes Σⱼ q²ᵢⱼ(yᵢ - yⱼ) (unnormalised repulsion) for each point of <paramref name="y"/> (n×2, row-major) into
    /// <paramref name="repulsion"/> and returns Z = Σ_{i≠j} qᵢⱼ.
    /// </summary>
    public double Compute(double[] y, int n, double[] repulsion)
    {
        int p = interpolationPoints;
        double lo = double.MaxValue, hi = double.MinValue;
        for (int i = 0; i < 2 * n; i++) { lo = Math.Min(lo, y[i]); hi = Math.Max(hi, y[i]); }
        double range = Math.Max(hi - lo, 1e-12);
        // Charges relative to the middle of the box keep |y|² small, so the differences below lose few digits.
        double center = (lo + hi) / 2;
        int boxes = SmoothAtLeast(Math.Max(minIntervals, (int)Math.Ceiling(range * intervalsPerUnit)));
        double boxWidth = range / boxes * (1 + 1e-9);
        int g = boxes * p;

        // Each point's p×p grid nodes (flat index into one g×g charge plane) and tensor-product Lagrange weights.
        int pp = p * p, plane = g * g;
        var column = new int[n];
        var nodeIndex = new int[n * pp];
        var nodeWeight = new double[n * pp];
        Parallelism.ForBlocks(n, (_, start, end) =>
        {
            Span<double> wx = stackalloc double[p], wy = stackalloc double[p];
            for (int i = start; i < end; i++)
            {
                double tx = (y[2 * i] - lo) / boxWidth, ty = (y[2 * i + 1] - lo) / boxWidth;
                int bx = Math.Min((int)tx, boxes - 1), by = Math.Min((int)ty, boxes - 1);
                LagrangeWeights(tx - bx, wx);
                LagrangeWeights(ty - by, wy);
                column[i] = bx;
                for (int a = 0; a < p; a++)
                    for (int b = 0; b < p; b++)
                    {
                        nodeIndex[i * pp + a * p + b] = (bx * p + a) * g + by * p + b;
                        nodeWeight[i * pp + a * p + b] = wx[a] * wy[b];
                    }
            }
        });

        // Spread the charges onto the grid: points grouped by their box column write to disjoint grid rows, so columns
        // run in parallel without locks and the sums do not depend on thread timing.
        var byColumn = GroupByColumn(column, boxes);
        var grid = new double[Charges * plane];
        Parallel.For(0, boxes, bx =>
        {
            for (int e = byColumn.Start[bx]; e < byColumn.Start[bx + 1]; e++)
            {
                int i = byColumn.Points[e];
                double y0 = y[2 * i] - center, y1 = y[2 * i + 1] - center;
                Span<double> charge = [1, y0, y1, y0 * y0 + y1 * y1];
                for (int t = i * pp; t < (i + 1) * pp; t++)
                    for (int c = 0; c < Charges; c++) grid[c * plane + nodeIndex[t]] += nodeWeight[t] * charge[c];
            }
        });

        var potentials = Convolve(grid, g, boxWidth / p);

        // Interpolate the potentials back to the points and assemble Z and the repulsive forces.
        double z = Parallelism.Sum(n, (start, end) =>
        {
            double partial = 0;
            Span<double> phi = stackalloc double[Charges];
            for (int i = start; i < end; i++)
            {
                phi.Clear();
                for (int t = i * pp; t < (i + 1) * pp; t++)
                    for (int c = 0; c < Charges; c++) phi[c] += nodeWeight[t] * potentials[c * plane + nodeIndex[t]];
                double y0 = y[2 * i] - center, y1 = y[2 * i + 1] - center;
                partial += (1 + y0 * y0 + y1 * y1) * phi[0] - 2 * (y0 * phi[1] + y1 * phi[2]) + phi[3];
                repulsion[2 * i] = y0 * phi[0] - phi[1];
                repulsion[2 * i + 1] = y1 * phi[0] - phi[2];
            }
            return partial;
        });
        return z - n; // the diagonal terms q_ii = 1
    }

    /// <summary>The smallest 2^a 3^b 5^c ≥ n: FFT lengths with a large prime factor are several times slower.</summary>
    static int SmoothAtLeast(int n)
    {
        for (int m = n; ; m++)
        {
            int r = m;
            foreach (int f in (ReadOnlySpan<int>)[2, 3, 5])
                while (r % f == 0) r /= f;
            if (r == 1) return m;
        }
    }

    void LagrangeWeights(double t, Span<double> w)
    {
        for (int j = 0; j < nodes.Length; j++)
        {
            double v = 1;
            for (int m = 0; m < nodes.Length; m++)
                if (m != j) v *= (t - nodes[m]) / (nodes[j] - nodes[m]);
            w[j] = v;
        }
    }

    static (int[] Start, int[] Points) GroupByColumn(int[] column, int boxes)
    {
        var start = new int[boxes + 1];
        foreach (int c in column) start[c + 1]++;
        for (int b = 0; b < boxes; b++) start[b + 1] += start[b];
        var fill = (int[])start.Clone();
        var points = new int[column.Length];
        for (int i = 0; i < column.Length; i++) points[fill[column[i]]++] = i;
        return (start, points);
    }

    /// <summary>
    /// q² = (1 + r²)^-2 between grid nodes in circulant order (offsets 0, 1, ..., g-1, -g, ..., -1 times the spacing),
    /// with the wrap-around row and column zero since they never pair two real nodes. Built here rather than with
    /// tensor-scalar ops: this runs every iteration, and TorchSharp leaves implicitly converted Scalars to the
    /// finalizer, which can free one during the native call ("Unknown scalar type", seen intermittently).
    /// </summary>
    static float[] SquaredCauchyKernel(int g, double spacing)
    {
        int m = 2 * g;
        var kernel = new float[m * m];
        for (int i = 0; i < m; i++)
        {
            if (i == g) continue;
            double di = (i < g ? i : i - m) * spacing;
            for (int j = 0; j < m; j++)
            {
                if (j == g) continue;
                double dj = (j < g ? j : j - m) * spacing, q = 1 / (1 + di * di + dj * dj);
                kernel[i * m + j] = (float)(q * q);
            }
        }
        return kernel;
    }

    /// <summary>Σ over grid nodes of q²(node, node') · charge(node'), by circulant embedding and a 2-D real FFT.</summary>
    static double[] Convolve(double[] grid, int g, double spacing)
    {
        using var scope = NewDisposeScope();
        int m = 2 * g;
        // float32 FFTs, twice as fast: with charges taken relative to the box centre, the rounding they add to Z and the
        // forces stays orders of magnitude below the interpolation error (checked against exact sums in the tests).
        var kernel = tensor(SquaredCauchyKernel(g, spacing), [m, m]);
        var charges = zeros([Charges, m, m], ScalarType.Float32);
        charges[TensorIndex.Colon, TensorIndex.Slice(0, g), TensorIndex.Slice(0, g)] = tensor(grid, [Charges, g, g]).to_type(ScalarType.Float32);
        var result = fft.irfft2(fft.rfft2(charges) * fft.rfft2(kernel).unsqueeze(0), [m, m]);
        return result[TensorIndex.Colon, TensorIndex.Slice(0, g), TensorIndex.Slice(0, g)].to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
    }
}
