using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Deepscope.Features.Scattering.Simd;

/// <summary>
/// The scattering primitives in .NET vector code on float32, for inference on the CPU: the images of one task stay in
/// the core's cache from the padded input to the coefficients, with no per-operation dispatch. Spectra are kept
/// transposed (rows are the horizontal frequencies), so both axes of every 2D FFT run along rows with whole pitches as
/// vectors and one transpose between them; the inverse transform's second transpose brings the planes back upright.
/// Each worker thread owns one backend (its <see cref="Workspace"/>); the filter tables are shared.
/// </summary>
internal sealed unsafe class SimdScatteringBackend(SimdFilterTables tables) : IScatteringBackend<Planes>, IDisposable
{
    readonly Workspace _workspace = new();

    /// <summary>
    /// Scatters <paramref name="count"/> images (H x W each, float32, contiguous) into <paramref name="output"/>
    /// (count x K x h x w), reusing this backend's workspace.
    /// </summary>
    public void Scatter(float* images, int count, float* output, int maxOrder)
    {
        _workspace.Reset();
        var input = new Planes(images, null, count, count, tables.Height, tables.Width, tables.Height * tables.Width);
        var coefficients = ScatteringAlgorithm.Scatter(this, input, tables.J, maxOrder);
        long bytes = (long)coefficients.Count * coefficients.Pitch * sizeof(float);
        Buffer.MemoryCopy(coefficients.Re, output, bytes, bytes);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Planes Pad(Planes images)
    {
        var padded = Planes.Interleaved(_workspace, images.Images, images.Count, tables.M, tables.N, complex: false);
        var (rows, columns) = (tables.PadRows, tables.PadColumns);
        for (int r = 0; r < padded.Rows; r++)
            for (int c = 0; c < images.Count; c++)
            {
                float* source = images.Re + (long)c * images.Pitch + rows[r] * images.Cols;
                float* target = padded.Re + (long)r * padded.Pitch + c * padded.Cols;
                for (int x = 0; x < padded.Cols; x++) target[x] = source[columns[x]];
            }
        return padded;
    }

    /// <summary>Real planes (m, C, n) to their spectra, transposed: (n, C, m) with [v, c, u] = X_c(u, v).</summary>
    public Planes Fourier(Planes signal)
    {
        var upright = Planes.Interleaved(_workspace, signal.Images, signal.Count, signal.Rows, signal.Cols, complex: true);
        long floats = (long)signal.Rows * signal.Pitch;
        Buffer.MemoryCopy(signal.Re, upright.Re, floats * sizeof(float), floats * sizeof(float));
        NativeMemory.Clear(upright.Im, (nuint)(floats * sizeof(float)));
        var spare = Planes.Interleaved(_workspace, signal.Images, signal.Count, signal.Cols, signal.Rows, complex: true);
        upright = Transform(upright, ref spare, inverse: false);
        var spectrum = spare;
        PlaneTranspose.Apply(upright, spectrum);
        return Transform(spectrum, ref upright, inverse: false);
    }

    public Planes WaveletModulus(Planes spectrum, int j, int resolution)
    {
        int k = 1 << (j - resolution);
        var folded = Planes.Interleaved(_workspace, spectrum.Images, spectrum.Count * tables.L, spectrum.Rows / k, spectrum.Cols / k, complex: true);
        FilterAndFold(spectrum, tables.Wavelets(j, resolution), k, folded);
        var spare = Planes.Interleaved(_workspace, folded.Images, folded.Count, folded.Cols, folded.Rows, complex: true);
        folded = Transform(folded, ref spare, inverse: true);
        var upright = spare;
        PlaneTranspose.Apply(folded, upright);
        upright = Transform(upright, ref folded, inverse: true);
        Modulus(upright.Re, upright.Im, (long)upright.Rows * upright.Pitch);
        return upright with { Im = null };
    }

    /// <summary>
    /// The FFT along the rows of <paramref name="planes"/>; the result is in the planes returned, which are either these
    /// or <paramref name="spare"/>'s buffers (same layout), and <paramref name="spare"/> becomes the other buffers.
    /// </summary>
    Planes Transform(Planes planes, ref Planes spare, bool inverse)
    {
        if (!tables.Fft(planes.Rows).Transform(planes.Re, planes.Im, spare.Re, spare.Im, planes.Pitch, inverse)) return planes;
        var result = planes with { Re = spare.Re, Im = spare.Im };
        spare = spare with { Re = planes.Re, Im = planes.Im };
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Planes LowPass(Planes signal, int resolution)
    {
        const int block = SimdFilterTables.LowPassBlockRows;
        float* rows = tables.LowPassRows(resolution), columnsT = tables.LowPassColumns(resolution);
        int blocks = tables.LowPassRowBlocks, outRows = tables.OutputHeight, outCols = tables.OutputWidth;
        // Rows first, over whole pitches, a block of output rows at a time: partial[h, :] = sum_x rows[h, x] signal[x, :]
        // (the row matrix is padded with zero rows to whole blocks).
        float* partial = _workspace.Allocate((long)blocks * block * signal.Pitch);
        for (int b = 0; b < blocks; b++)
            RowBlock(rows + b * block * signal.Rows, signal.Rows, signal.Re, signal.Pitch, partial + (long)b * block * signal.Pitch);
        var output = Planes.StackedIn(_workspace, signal.Images, signal.Count, outRows, outCols);
        for (int c = 0; c < signal.Count; c++)
            for (int h = 0; h < outRows; h += block)
                ColumnBlock(partial + (long)h * signal.Pitch + c * signal.Cols, signal.Pitch, signal.Cols, columnsT, tables.LowPassColumnsPitch,
                    output.Re + (long)c * output.Pitch + h * outCols, outCols, Math.Min(block, outRows - h));
        return output;
    }

    /// <summary>target[i, :] = sum_x matrix[i, x] source[x, :] for the 8 rows i of a block, over a pitch of whole vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void RowBlock(float* matrix, int inputs, float* source, int pitch, float* target)
    {
        for (int i = 0; i < pitch; i += Vector<float>.Count)
            EightRows(matrix, inputs, inputs, source + i, pitch, target + i, pitch, 8);
    }

    /// <summary>
    /// Up to 8 output rows of one plane: target[h, w] = sum_y source[h, y] columnsT[y, w], a vector of w at a time.
    /// Whole vectors are stored, a row's last vector first and rows in increasing order, so lanes past a row's end are
    /// overwritten by the rows and planes after it (the workspace leaves a spare vector after the last).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ColumnBlock(float* source, int sourcePitch, int inputs, float* columnsT, int columnsPitch, float* target, int outCols, int rows)
    {
        for (int w = (outCols - 1) / Vector<float>.Count * Vector<float>.Count; w >= 0; w -= Vector<float>.Count)
            EightRows(source, sourcePitch, inputs, columnsT + w, columnsPitch, target + w, outCols, rows);
    }

    /// <summary>
    /// One vector of 8 rows of a small matrix product: sum_t a[r * aPitch + t] b[t * bPitch .. + vector] for r &lt; 8, in
    /// eight independent sums (which hide the FMA latency), stored at target + r * targetPitch for the first
    /// <paramref name="rows"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void EightRows(float* a, int aPitch, int inner, float* b, int bPitch, float* target, int targetPitch, int rows)
    {
        Vector<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        for (int t = 0; t < inner; t++, a++)
        {
            var column = Vector.Load(b + (long)t * bPitch);
            s0 = Vector.MultiplyAddEstimate(new Vector<float>(a[0]), column, s0);
            s1 = Vector.MultiplyAddEstimate(new Vector<float>(a[aPitch]), column, s1);
            s2 = Vector.MultiplyAddEstimate(new Vector<float>(a[2 * aPitch]), column, s2);
            s3 = Vector.MultiplyAddEstimate(new Vector<float>(a[3 * aPitch]), column, s3);
            s4 = Vector.MultiplyAddEstimate(new Vector<float>(a[4 * aPitch]), column, s4);
            s5 = Vector.MultiplyAddEstimate(new Vector<float>(a[5 * aPitch]), column, s5);
            s6 = Vector.MultiplyAddEstimate(new Vector<float>(a[6 * aPitch]), column, s6);
            s7 = Vector.MultiplyAddEstimate(new Vector<float>(a[7 * aPitch]), column, s7);
        }
        s0.Store(target);
        if (rows > 1) s1.Store(target + targetPitch);
        if (rows > 2) s2.Store(target + 2 * targetPitch);
        if (rows > 3) s3.Store(target + 3 * targetPitch);
        if (rows > 4) s4.Store(target + 4 * targetPitch);
        if (rows > 5) s5.Store(target + 5 * targetPitch);
        if (rows > 6) s6.Store(target + 6 * targetPitch);
        if (rows > 7) s7.Store(target + 7 * targetPitch);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Planes JoinOrientations(IReadOnlyList<Planes> blocks)
    {
        if (blocks.Count == 1) return blocks[0];
        var first = blocks[0];
        int inner = tables.L, outer = first.Count / inner, plane = first.Pitch;
        var joined = Planes.StackedIn(_workspace, first.Images, first.Count * blocks.Count, first.Rows, first.Cols);
        for (int o = 0; o < outer; o++)
            for (int b = 0; b < blocks.Count; b++)
                Copy(blocks[b].Re + (long)o * inner * plane, joined.Re + ((long)o * blocks.Count + b) * inner * plane, (long)inner * plane);
        return joined;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Planes Coefficients(IReadOnlyList<Planes> parts)
    {
        int images = parts[0].Images, plane = parts[0].Pitch, perImage = parts.Sum(p => p.Count / images);
        var coefficients = Planes.StackedIn(_workspace, images, images * perImage, parts[0].Rows, parts[0].Cols);
        for (int image = 0; image < images; image++)
        {
            long offset = (long)image * perImage * plane;
            foreach (var part in parts)
            {
                long floats = (long)(part.Count / images) * plane;
                Copy(part.Re + image * floats, coefficients.Re + offset, floats);
                offset += floats;
            }
        }
        return coefficients;
    }

    /// <summary>
    /// folded[q, c L + theta, p] = sum over the k x k aliases (a, b) of spectrum[q + a V/k, c, p + b U/k] times
    /// filter_theta[q + a V/k, p + b U/k]: the wavelet product and Kymatio's Fourier-domain subsampling in one pass (the
    /// 1/k^2 of the alias mean and the inverse FFT's 1/size live in the filters). For k &lt;= 2 a vector of every alias
    /// is loaded once and serves all L orientations from registers. Whole vectors run past the end of a plane's row:
    /// the last vector of every plane is stored first and planes in increasing order, so the spill is overwritten by
    /// the next plane's first vector (or lands in the spare vector after the buffer).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void FilterAndFold(Planes spectrum, float*[] filters, int k, Planes folded)
    {
        int l = filters.Length, coarse = folded.Cols, fine = spectrum.Cols, vector = Vector<float>.Count;
        for (int q = 0; q < folded.Rows; q++)
            for (int c = 0; c < spectrum.Count; c++)
            {
                float* xr = spectrum.Re + (long)q * spectrum.Pitch + c * fine, xi = spectrum.Im + (long)q * spectrum.Pitch + c * fine;
                float* targetRe = folded.Re + (long)q * folded.Pitch + c * l * coarse, targetIm = folded.Im + (long)q * folded.Pitch + c * l * coarse;
                long filterRow = (long)q * fine, nextRows = (long)folded.Rows * spectrum.Pitch, nextFilterRows = (long)folded.Rows * fine;
                for (int p = (coarse - 1) / vector * vector; p >= 0; p -= vector)
                    if (k == 1)
                    {
                        var x0r = Vector.Load(xr + p); var x0i = Vector.Load(xi + p);
                        for (int theta = 0; theta < l; theta++)
                        {
                            var f = Vector.Load(filters[theta] + filterRow + p);
                            (x0r * f).Store(targetRe + theta * coarse + p);
                            (x0i * f).Store(targetIm + theta * coarse + p);
                        }
                    }
                    else if (k == 2)
                    {
                        // Aliases (row a, column b): 00, 01, 10, 11.
                        var x00r = Vector.Load(xr + p); var x00i = Vector.Load(xi + p);
                        var x01r = Vector.Load(xr + coarse + p); var x01i = Vector.Load(xi + coarse + p);
                        var x10r = Vector.Load(xr + nextRows + p); var x10i = Vector.Load(xi + nextRows + p);
                        var x11r = Vector.Load(xr + nextRows + coarse + p); var x11i = Vector.Load(xi + nextRows + coarse + p);
                        for (int theta = 0; theta < l; theta++)
                        {
                            float* f = filters[theta] + filterRow + p;
                            Vector<float> f00 = Vector.Load(f), f01 = Vector.Load(f + coarse), f10 = Vector.Load(f + nextFilterRows), f11 = Vector.Load(f + nextFilterRows + coarse);
                            Vector.MultiplyAddEstimate(x11r, f11, Vector.MultiplyAddEstimate(x10r, f10, Vector.MultiplyAddEstimate(x01r, f01, x00r * f00)))
                                .Store(targetRe + theta * coarse + p);
                            Vector.MultiplyAddEstimate(x11i, f11, Vector.MultiplyAddEstimate(x10i, f10, Vector.MultiplyAddEstimate(x01i, f01, x00i * f00)))
                                .Store(targetIm + theta * coarse + p);
                        }
                    }
                    else
                        for (int theta = 0; theta < l; theta++)
                        {
                            Vector<float> sumRe = default, sumIm = default;
                            for (int a = 0; a < k; a++)
                                for (int b = 0; b < k; b++)
                                {
                                    long offset = a * nextRows + b * coarse + p;
                                    var f = Vector.Load(filters[theta] + filterRow + a * nextFilterRows + b * coarse + p);
                                    sumRe = Vector.MultiplyAddEstimate(Vector.Load(xr + offset), f, sumRe);
                                    sumIm = Vector.MultiplyAddEstimate(Vector.Load(xi + offset), f, sumIm);
                                }
                            sumRe.Store(targetRe + theta * coarse + p);
                            sumIm.Store(targetIm + theta * coarse + p);
                        }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Modulus(float* re, float* im, long n)
    {
        for (long i = 0; i < n; i += Vector<float>.Count)
        {
            var r = Vector.Load(re + i);
            var m = Vector.Load(im + i);
            Vector.SquareRoot(Vector.MultiplyAddEstimate(r, r, m * m)).Store(re + i);
        }
    }

    static void Copy(float* source, float* target, long floats) =>
        Buffer.MemoryCopy(source, target, floats * sizeof(float), floats * sizeof(float));

    public void Dispose() => _workspace.Dispose();
}
