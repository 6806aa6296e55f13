using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Deepscope.Features.Scattering.Simd;

/// <summary>
/// The scattering primitives in .NET vector code on float32, for inference on the CPU: a few images at a time stay in
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
        var input = new Planes(images, null, count, count, tables.Height, tables.Width, tables.Height * tables.Width, true);
        var coefficients = ScatteringAlgorithm.Scatter(this, input, tables.J, maxOrder);
        long bytes = (long)coefficients.Count * coefficients.Pitch * sizeof(float);
        Buffer.MemoryCopy(coefficients.Re, output, bytes, bytes);
    }

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
        Scratch(upright, signal.Cols, signal.Rows, out var scratchRe, out var scratchIm);
        tables.Fft(signal.Rows).Transform(upright.Re, upright.Im, scratchRe, scratchIm, upright.Pitch, inverse: false);
        var spectrum = Planes.Interleaved(_workspace, signal.Images, signal.Count, signal.Cols, signal.Rows, complex: true);
        Transpose(upright, spectrum);
        tables.Fft(spectrum.Rows).Transform(spectrum.Re, spectrum.Im, scratchRe, scratchIm, spectrum.Pitch, inverse: false);
        return spectrum;
    }

    public Planes WaveletModulus(Planes spectrum, int j, int resolution)
    {
        int k = 1 << (j - resolution), l = tables.L;
        var folded = Planes.Interleaved(_workspace, spectrum.Images, spectrum.Count * l, spectrum.Rows / k, spectrum.Cols / k, complex: true);
        FilterAndFold(spectrum, tables.Wavelets(j, resolution), k, folded);
        Scratch(folded, folded.Cols, folded.Rows, out var scratchRe, out var scratchIm);
        tables.Fft(folded.Rows).Transform(folded.Re, folded.Im, scratchRe, scratchIm, folded.Pitch, inverse: true);
        var upright = Planes.Interleaved(_workspace, folded.Images, folded.Count, folded.Cols, folded.Rows, complex: true);
        Transpose(folded, upright);
        tables.Fft(upright.Rows).Transform(upright.Re, upright.Im, scratchRe, scratchIm, upright.Pitch, inverse: true);
        Modulus(upright.Re, upright.Im, (long)upright.Rows * upright.Pitch);
        return upright with { Im = null };
    }

    public Planes LowPass(Planes signal, int resolution)
    {
        float* rows = tables.LowPassRows(resolution), columnsT = tables.LowPassColumns(resolution);
        int columnsPitch = tables.LowPassColumnsPitch;
        int outRows = tables.OutputHeight, outCols = tables.OutputWidth, vector = Vector<float>.Count;
        // Rows first, over whole pitches: partial[h, :] = sum_x rows[h, x] signal[x, :].
        float* partial = _workspace.Allocate((long)outRows * signal.Pitch);
        for (int h = 0; h < outRows; h++)
        {
            float* target = partial + (long)h * signal.Pitch;
            for (int x = 0; x < signal.Rows; x++)
                Axpy(rows[h * signal.Rows + x], signal.Re + (long)x * signal.Pitch, target, signal.Pitch, accumulate: x > 0);
        }
        // Then the columns of each plane, a vector of outputs at a time; whole vectors are stored in increasing order,
        // so lanes past a row's end are overwritten by the next row (the allocation has one vector to spare).
        var output = new Planes(_workspace.Allocate((long)signal.Count * outRows * outCols + vector), null, signal.Images, signal.Count,
            outRows, outCols, outRows * outCols, true);
        for (int c = 0; c < signal.Count; c++)
            for (int h = 0; h < outRows; h++)
            {
                float* source = partial + (long)h * signal.Pitch + c * signal.Cols;
                float* target = output.Re + (long)c * output.Pitch + h * outCols;
                for (int w = 0; w < outCols; w += vector)
                {
                    var sum = Vector<float>.Zero;
                    for (int y = 0; y < signal.Cols; y++)
                        sum = Vector.MultiplyAddEstimate(new Vector<float>(source[y]), Vector.Load(columnsT + y * columnsPitch + w), sum);
                    sum.Store(target + w);
                }
            }
        return output;
    }

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
    /// 1/k^2 of the alias mean and the inverse FFT's 1/size live in the filters).
    /// </summary>
    void FilterAndFold(Planes spectrum, float*[] filters, int k, Planes folded)
    {
        int l = filters.Length, coarse = folded.Cols, fine = spectrum.Cols;
        for (int q = 0; q < folded.Rows; q++)
            for (int a = 0; a < k; a++)
            {
                int v = q + a * folded.Rows;
                for (int c = 0; c < spectrum.Count; c++)
                {
                    float* xr = spectrum.Re + (long)v * spectrum.Pitch + c * fine, xi = spectrum.Im + (long)v * spectrum.Pitch + c * fine;
                    for (int theta = 0; theta < l; theta++)
                    {
                        float* f = filters[theta] + (long)v * fine;
                        long target = (long)q * folded.Pitch + (c * l + theta) * coarse;
                        for (int b = 0; b < k; b++)
                            MultiplyReal(xr + b * coarse, xi + b * coarse, f + b * coarse, folded.Re + target, folded.Im + target, coarse, accumulate: a > 0 || b > 0);
                    }
                }
            }
    }

    /// <summary>(dr, di) (+)= (xr, xi) * f over n floats.</summary>
    static void MultiplyReal(float* xr, float* xi, float* f, float* dr, float* di, int n, bool accumulate)
    {
        int i = 0;
        if (accumulate)
        {
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var fv = Vector.Load(f + i);
                Vector.MultiplyAddEstimate(Vector.Load(xr + i), fv, Vector.Load(dr + i)).Store(dr + i);
                Vector.MultiplyAddEstimate(Vector.Load(xi + i), fv, Vector.Load(di + i)).Store(di + i);
            }
            for (; i < n; i++) { dr[i] += xr[i] * f[i]; di[i] += xi[i] * f[i]; }
        }
        else
        {
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var fv = Vector.Load(f + i);
                (Vector.Load(xr + i) * fv).Store(dr + i);
                (Vector.Load(xi + i) * fv).Store(di + i);
            }
            for (; i < n; i++) { dr[i] = xr[i] * f[i]; di[i] = xi[i] * f[i]; }
        }
    }

    /// <summary>target (+)= a * source over n floats (a multiple of the vector size).</summary>
    static void Axpy(float a, float* source, float* target, int n, bool accumulate)
    {
        var va = new Vector<float>(a);
        for (int i = 0; i < n; i += Vector<float>.Count)
            (accumulate ? Vector.MultiplyAddEstimate(va, Vector.Load(source + i), Vector.Load(target + i)) : va * Vector.Load(source + i)).Store(target + i);
    }

    static void Modulus(float* re, float* im, long n)
    {
        for (long i = 0; i < n; i += Vector<float>.Count)
        {
            var r = Vector.Load(re + i);
            var m = Vector.Load(im + i);
            Vector.SquareRoot(Vector.MultiplyAddEstimate(r, r, m * m)).Store(re + i);
        }
    }

    /// <summary>Planes (R, C, X) to (X, C, R): target[x, c, r] = source[r, c, x], real and imaginary parts.</summary>
    static void Transpose(Planes source, Planes target)
    {
        TransposePart(source.Re, source, target.Re, target);
        TransposePart(source.Im, source, target.Im, target);
    }

    static void TransposePart(float* from, Planes source, float* to, Planes target)
    {
        for (int c = 0; c < source.Count; c++)
            for (int r = 0; r < source.Rows; r++)
            {
                float* row = from + (long)r * source.Pitch + c * source.Cols;
                float* column = to + c * target.Cols + r;
                for (int x = 0; x < source.Cols; x++) column[(long)x * target.Pitch] = row[x];
            }
    }

    /// <summary>Scratch for the FFTs of planes that also become (cols, count, rows) after a transpose.</summary>
    void Scratch(Planes planes, int otherRows, int otherCols, out float* re, out float* im)
    {
        long floats = Math.Max((long)planes.Rows * planes.Pitch, (long)otherRows * Planes.RoundToVectors(planes.Count * otherCols));
        re = _workspace.Allocate(floats);
        im = _workspace.Allocate(floats);
    }

    static void Copy(float* source, float* target, long floats) =>
        Buffer.MemoryCopy(source, target, floats * sizeof(float), floats * sizeof(float));

    public void Dispose() => _workspace.Dispose();
}
