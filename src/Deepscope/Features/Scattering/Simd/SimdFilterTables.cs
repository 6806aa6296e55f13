using System.Numerics;
using System.Runtime.CompilerServices;

namespace Deepscope.Features.Scattering.Simd;

/// <summary>
/// What <see cref="SimdScatteringBackend"/> workers share, read-only: padding indices, FFT plans for every grid size,
/// and the filters in float32 laid out for the vector loops. Arrays live on the pinned heap, so their addresses are
/// fixed for the life of the tables.
/// </summary>
internal sealed unsafe class SimdFilterTables
{
    readonly Dictionary<int, StockhamFft> _ffts = [];
    /// <summary>The wavelets' pinned arrays (kept referenced here) and their addresses, by [j][r][theta].</summary>
    readonly List<float[]> _pinned = [];
    readonly float*[][][] _wavelets;
    readonly float[][] _lowPassRows, _lowPassColumns;

    public int J { get; }
    public int L { get; }
    public int Height { get; }
    public int Width { get; }
    public int M { get; }
    public int N { get; }
    public int OutputHeight { get; }
    public int OutputWidth { get; }
    public int[] PadRows { get; }
    public int[] PadColumns { get; }

    /// <summary>Output rows the low-pass computes at once (independent sums that hide the FMA latency).</summary>
    public const int LowPassBlockRows = 8;

    /// <summary>Blocks of <see cref="LowPassBlockRows"/> output rows (the row matrices have that many rows, the last ones zero).</summary>
    public int LowPassRowBlocks { get; }

    /// <summary>Floats per row of the transposed column matrices: the outputs rounded up to whole vectors.</summary>
    public int LowPassColumnsPitch { get; }

    public SimdFilterTables(MorletFilterBank bank, int height, int width)
    {
        (J, L, Height, Width, M, N) = (bank.J, bank.L, height, width, bank.M, bank.N);
        (OutputHeight, OutputWidth) = (bank.OutputSize(M), bank.OutputSize(N));
        PadRows = [.. KymatioPadding.SourceIndices(height, M).Select(i => (int)i)];
        PadColumns = [.. KymatioPadding.SourceIndices(width, N).Select(i => (int)i)];
        for (int r = 0; r < J; r++)
            foreach (int length in new[] { M >> r, N >> r })
                if (!_ffts.ContainsKey(length)) _ffts[length] = new StockhamFft(length);

        // Wavelets: psi(j, theta) at resolution r transposed to (n, m), as the spectra are, and divided by m n (the
        // alias mean's 1/k^2 times the inverse FFT's 1/(m n / k^2)).
        _wavelets = new float*[J][][];
        for (int j = 0; j < J; j++)
        {
            _wavelets[j] = new float*[Math.Min(j + 1, Math.Max(J - 1, 1))][];
            for (int r = 0; r < _wavelets[j].Length; r++)
            {
                int m = M >> r, n = N >> r;
                _wavelets[j][r] = new float*[L];
                for (int theta = 0; theta < L; theta++)
                {
                    var psi = bank.Psi(j, theta, r);
                    var transposed = Pinned(m * n);
                    for (int u = 0; u < m; u++)
                        for (int v = 0; v < n; v++) transposed[v * m + u] = (float)(psi[u * n + v] / (m * n));
                    _pinned.Add(transposed);
                    _wavelets[j][r][theta] = Address(transposed);
                }
            }
        }

        LowPassColumnsPitch = Planes.RoundToVectors(OutputWidth);
        LowPassRowBlocks = (OutputHeight + LowPassBlockRows - 1) / LowPassBlockRows;
        _lowPassRows = new float[J][];
        _lowPassColumns = new float[J][];
        for (int r = 0; r < J; r++)
        {
            var (rows, columns) = bank.LowPassMatrices(r);
            _lowPassRows[r] = Pinned(LowPassRowBlocks * LowPassBlockRows * (M >> r)); // zero rows up to whole blocks
            for (int i = 0; i < rows.Length; i++) _lowPassRows[r][i] = (float)rows[i];
            // Transposed to (n, outputs), each row padded to whole vectors with zeros.
            int n = N >> r;
            _lowPassColumns[r] = Pinned(n * LowPassColumnsPitch);
            for (int w = 0; w < OutputWidth; w++)
                for (int y = 0; y < n; y++) _lowPassColumns[r][y * LowPassColumnsPitch + w] = (float)columns[w * n + y];
        }
    }

    /// <summary>A pinned array with a spare vector at the end, which kernels may read past a row's end.</summary>
    static float[] Pinned(int length) => GC.AllocateArray<float>(length + Vector<float>.Count, pinned: true);

    static float* Address(float[] pinned) => (float*)Unsafe.AsPointer(ref pinned[0]);

    public StockhamFft Fft(int length) => _ffts[length];

    /// <summary>The L filters of psi(j, .) at resolution r, each (n, m) row-major.</summary>
    public float*[] Wavelets(int j, int resolution) => _wavelets[j][resolution];

    /// <summary>phi along the rows at resolution r: (<see cref="LowPassBlockRows"/> <see cref="LowPassRowBlocks"/>, M / 2^r) row-major, zero past the outputs.</summary>
    public float* LowPassRows(int resolution) => Address(_lowPassRows[resolution]);

    /// <summary>phi along the columns at resolution r, transposed: (N / 2^r, <see cref="LowPassColumnsPitch"/>).</summary>
    public float* LowPassColumns(int resolution) => Address(_lowPassColumns[resolution]);
}
