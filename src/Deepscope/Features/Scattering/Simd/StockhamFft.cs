using System.Numerics;
using System.Runtime.CompilerServices;

namespace Deepscope.Features.Scattering.Simd;

/// <summary>
/// The complex DFT of one length along the leading axis of split-complex float data: element t is the row of
/// <c>width</c> floats at <c>re + t * width</c> (and <c>im + t * width</c>), so every butterfly runs over whole rows and
/// the vector loops are long even for tiny transforms. Stockham's self-sorting formulation (no bit reversal), radix 8,
/// 6, 4, 2, 3 and 5 butterflies and a direct DFT for any other prime factor; twiddles are computed in double. Unnormalized in
/// both directions (numpy's <c>fft</c>, and <c>ifft</c> times the length).
/// </summary>
internal sealed unsafe class StockhamFft
{
    /// <summary>
    /// One pass: sub-transforms of length Radix * Count at stride Stride. Twiddles are exp(-2 pi i q r / (Radix Count))
    /// at [q * (Radix - 1) + r - 1] for the q-th group and output r &gt;= 1.
    /// </summary>
    sealed record Stage(int Radix, int Count, int Stride, float[] TwiddleRe, float[] TwiddleIm);

    readonly Stage[] _stages;
    /// <summary>Direct-DFT constants exp(-2 pi i k / p) of the generic prime radices, by radix.</summary>
    readonly Dictionary<int, (float[] Re, float[] Im)> _roots = [];

    public int Length { get; }

    public StockhamFft(int length)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), $"FFT length must be positive, got {length}");
        Length = length;
        var stages = new List<Stage>();
        int remaining = length, stride = 1;
        foreach (int radix in Factor(length))
        {
            int count = remaining / radix;
            var twRe = new float[count * (radix - 1)];
            var twIm = new float[count * (radix - 1)];
            for (int q = 0; q < count; q++)
                for (int r = 1; r < radix; r++)
                {
                    double angle = -2 * Math.PI * q * r / remaining;
                    twRe[q * (radix - 1) + r - 1] = (float)Math.Cos(angle);
                    twIm[q * (radix - 1) + r - 1] = (float)Math.Sin(angle);
                }
            stages.Add(new Stage(radix, count, stride, twRe, twIm));
            if (radix > 5 && !_roots.ContainsKey(radix))
                _roots[radix] = ([.. Enumerable.Range(0, radix).Select(k => (float)Math.Cos(-2 * Math.PI * k / radix))],
                    [.. Enumerable.Range(0, radix).Select(k => (float)Math.Sin(-2 * Math.PI * k / radix))]);
            remaining = count;
            stride *= radix;
        }
        _stages = [.. stages];
    }

    /// <summary>
    /// Radix 8, then 6, then 4 while they divide (fewer passes over the data and fewer twiddle products per point), then
    /// 2, 3, 5 and the remaining primes: 36 = 6 x 6, 18 = 6 x 3, 40 = 8 x 5, 20 = 4 x 5.
    /// </summary>
    static IEnumerable<int> Factor(int n)
    {
        foreach (int p in new[] { 8, 6, 4, 2, 3, 5 })
            while (n % p == 0) { yield return p; n /= p; }
        for (int p = 7; n > 1; p += 2)
            while (n % p == 0) { yield return p; n /= p; }
    }

    /// <summary>
    /// Transforms the Length rows of <paramref name="width"/> floats (a multiple of the vector size) at
    /// <paramref name="re"/> and <paramref name="im"/>, using the scratch rows as the other half of each Stockham pass.
    /// Returns true when the result ended in the scratch rows (an odd number of passes), false when it is in place; the
    /// other buffer holds intermediate values. The inverse swaps the real and imaginary parts around a forward transform
    /// (conj(F(conj x)) = n F^-1 x).
    /// </summary>
    public bool Transform(float* re, float* im, float* scratchRe, float* scratchIm, int width, bool inverse)
    {
        if (width % Vector<float>.Count != 0) throw new ArgumentException($"row width {width} is not a multiple of {Vector<float>.Count}", nameof(width));
        if (inverse) { Swap(ref re, ref im); Swap(ref scratchRe, ref scratchIm); }
        float* xr = re, xi = im, yr = scratchRe, yi = scratchIm;
        foreach (var stage in _stages)
        {
            RunStage(stage, xr, xi, yr, yi, width);
            Swap(ref xr, ref yr);
            Swap(ref xi, ref yi);
        }
        return _stages.Length % 2 == 1;
    }

    static void Swap(ref float* a, ref float* b)
    {
        var t = a;
        a = b;
        b = t;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void RunStage(Stage stage, float* xr, float* xi, float* yr, float* yi, int width)
    {
        int p = stage.Radix, m = stage.Count, span = stage.Stride * width;
        for (int q = 0; q < m; q++)
        {
            // Inputs: elements (q + j m) s + k; outputs: (p q + r) s + k, for k < s: each a contiguous span of s rows.
            long input = (long)q * span, output = (long)p * q * span, step = (long)m * span;
            int tw = q * (p - 1);
            switch (p)
            {
                case 8: Radix8(xr + input, xi + input, step, yr + output, yi + output, span, stage, tw, q == 0); break;
                case 6: Radix6(xr + input, xi + input, step, yr + output, yi + output, span, stage, tw, q == 0); break;
                case 4: Radix4(xr + input, xi + input, step, yr + output, yi + output, span, stage, tw, q == 0); break;
                case 2: Radix2(xr + input, xi + input, step, yr + output, yi + output, span, stage, tw, q == 0); break;
                case 3: Radix3(xr + input, xi + input, step, yr + output, yi + output, span, stage, tw, q == 0); break;
                case 5: Radix5(xr + input, xi + input, step, yr + output, yi + output, span, stage, tw, q == 0); break;
                default: RadixPrime(xr + input, xi + input, step, yr + output, yi + output, span, stage, tw, q == 0); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector<float> Load(float* p) => Vector.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* p, Vector<float> v) => v.Store(p);

    /// <summary>Stores b times the twiddle w = (c, s): (br c - bi s, br s + bi c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreTwiddled(float* outRe, float* outIm, Vector<float> br, Vector<float> bi, float c, float s)
    {
        var vc = new Vector<float>(c);
        var vs = new Vector<float>(s);
        Store(outRe, Vector.MultiplyAddEstimate(br, vc, -(bi * vs)));
        Store(outIm, Vector.MultiplyAddEstimate(br, vs, bi * vc));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Radix2(float* xr, float* xi, long step, float* yr, float* yi, int span, Stage st, int tw, bool unit)
    {
        for (int i = 0; i < span; i += Vector<float>.Count)
        {
            var a0r = Load(xr + i); var a0i = Load(xi + i);
            var a1r = Load(xr + step + i); var a1i = Load(xi + step + i);
            Store(yr + i, a0r + a1r); Store(yi + i, a0i + a1i);
            StoreOutput(yr + span + i, yi + span + i, a0r - a1r, a0i - a1i, st, tw, unit);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Radix3(float* xr, float* xi, long step, float* yr, float* yi, int span, Stage st, int tw, bool unit)
    {
        for (int i = 0; i < span; i += Vector<float>.Count)
        {
            Dft3(Split.Load(xr + i, xi + i), Split.Load(xr + step + i, xi + step + i), Split.Load(xr + 2 * step + i, xi + 2 * step + i),
                out var b0, out var b1, out var b2);
            b0.Store(yr + i, yi + i);
            StoreOutput(yr + span + i, yi + span + i, b1.Re, b1.Im, st, tw, unit);
            StoreOutput(yr + 2 * span + i, yi + 2 * span + i, b2.Re, b2.Im, st, tw + 1, unit);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Radix4(float* xr, float* xi, long step, float* yr, float* yi, int span, Stage st, int tw, bool unit)
    {
        for (int i = 0; i < span; i += Vector<float>.Count)
        {
            Dft4(Split.Load(xr + i, xi + i), Split.Load(xr + step + i, xi + step + i), Split.Load(xr + 2 * step + i, xi + 2 * step + i),
                Split.Load(xr + 3 * step + i, xi + 3 * step + i), out var b0, out var b1, out var b2, out var b3);
            b0.Store(yr + i, yi + i);
            StoreOutput(yr + span + i, yi + span + i, b1.Re, b1.Im, st, tw, unit);
            StoreOutput(yr + 2 * span + i, yi + 2 * span + i, b2.Re, b2.Im, st, tw + 1, unit);
            StoreOutput(yr + 3 * span + i, yi + 3 * span + i, b3.Re, b3.Im, st, tw + 2, unit);
        }
    }

    /// <summary>Two DFT3 of the even and odd inputs: b_k = e_k + w6^k o_k, b_(k+3) = e_k - w6^k o_k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Radix6(float* xr, float* xi, long step, float* yr, float* yi, int span, Stage st, int tw, bool unit)
    {
        var half = new Vector<float>(0.5f);
        var sin60 = new Vector<float>((float)(Math.Sqrt(3) / 2));
        for (int i = 0; i < span; i += Vector<float>.Count)
        {
            Dft3(Split.Load(xr + i, xi + i), Split.Load(xr + 2 * step + i, xi + 2 * step + i), Split.Load(xr + 4 * step + i, xi + 4 * step + i),
                out var e0, out var e1, out var e2);
            Dft3(Split.Load(xr + step + i, xi + step + i), Split.Load(xr + 3 * step + i, xi + 3 * step + i), Split.Load(xr + 5 * step + i, xi + 5 * step + i),
                out var o0, out var o1, out var o2);
            // w6 = 1/2 - i sqrt3/2 and w6^2 = -1/2 - i sqrt3/2
            var w1 = new Split(Vector.MultiplyAddEstimate(o1.Im, sin60, o1.Re * half), Vector.MultiplyAddEstimate(-o1.Re, sin60, o1.Im * half));
            var w2 = new Split(Vector.MultiplyAddEstimate(o2.Im, sin60, -(o2.Re * half)), Vector.MultiplyAddEstimate(-o2.Re, sin60, -(o2.Im * half)));
            StorePair(yr + i, yi + i, span, st, tw, unit, 0, 3, e0, o0);
            StorePair(yr + i, yi + i, span, st, tw, unit, 1, 3, e1, w1);
            StorePair(yr + i, yi + i, span, st, tw, unit, 2, 3, e2, w2);
        }
    }

    /// <summary>Two DFT4 of the even and odd inputs: b_k = e_k + w8^k o_k, b_(k+4) = e_k - w8^k o_k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Radix8(float* xr, float* xi, long step, float* yr, float* yi, int span, Stage st, int tw, bool unit)
    {
        var root = new Vector<float>((float)Math.Sqrt(0.5));
        for (int i = 0; i < span; i += Vector<float>.Count)
        {
            Dft4(Split.Load(xr + i, xi + i), Split.Load(xr + 2 * step + i, xi + 2 * step + i), Split.Load(xr + 4 * step + i, xi + 4 * step + i),
                Split.Load(xr + 6 * step + i, xi + 6 * step + i), out var e0, out var e1, out var e2, out var e3);
            Dft4(Split.Load(xr + step + i, xi + step + i), Split.Load(xr + 3 * step + i, xi + 3 * step + i), Split.Load(xr + 5 * step + i, xi + 5 * step + i),
                Split.Load(xr + 7 * step + i, xi + 7 * step + i), out var o0, out var o1, out var o2, out var o3);
            // w8 = (1 - i)/sqrt2, w8^2 = -i, w8^3 = (-1 - i)/sqrt2
            var w1 = new Split((o1.Re + o1.Im) * root, (o1.Im - o1.Re) * root);
            var w2 = o2.TimesMinusI();
            var w3 = new Split((o3.Im - o3.Re) * root, -(o3.Re + o3.Im) * root);
            StorePair(yr + i, yi + i, span, st, tw, unit, 0, 4, e0, o0);
            StorePair(yr + i, yi + i, span, st, tw, unit, 1, 4, e1, w1);
            StorePair(yr + i, yi + i, span, st, tw, unit, 2, 4, e2, w2);
            StorePair(yr + i, yi + i, span, st, tw, unit, 3, 4, e3, w3);
        }
    }

    /// <summary>
    /// Outputs k and k + half of a radix-2 half pass (6 = 2 x 3, 8 = 2 x 4) from the two half transforms: e + w and e - w,
    /// each times its twiddle (output 0's is 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StorePair(float* yr, float* yi, int span, Stage st, int tw, bool unit, int k, int half, Split e, Split w)
    {
        Split sum = e + w, difference = e - w;
        StoreOutput(yr + k * span, yi + k * span, sum.Re, sum.Im, st, tw + k - 1, unit || k == 0);
        StoreOutput(yr + (k + half) * span, yi + (k + half) * span, difference.Re, difference.Im, st, tw + k + half - 1, unit);
    }

    /// <summary>The forward DFT of 3 points: b1 = m - i (sqrt3/2) d, b2 = m + i (sqrt3/2) d with m = a0 - (a1 + a2)/2, d = a1 - a2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Dft3(Split a0, Split a1, Split a2, out Split b0, out Split b1, out Split b2)
    {
        var sum = a1 + a2;
        var difference = (a1 - a2) * new Vector<float>((float)(Math.Sqrt(3) / 2));
        var middle = a0 - sum * new Vector<float>(0.5f);
        b0 = a0 + sum;
        b1 = middle + difference.TimesMinusI();
        b2 = middle - difference.TimesMinusI();
    }

    /// <summary>The forward DFT of 4 points: b1 = t1 - i t3, b2 = t0 - t2, b3 = t1 + i t3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Dft4(Split a0, Split a1, Split a2, Split a3, out Split b0, out Split b1, out Split b2, out Split b3)
    {
        Split t0 = a0 + a2, t1 = a0 - a2, t2 = a1 + a3, t3 = (a1 - a3).TimesMinusI();
        b0 = t0 + t2;
        b1 = t1 + t3;
        b2 = t0 - t2;
        b3 = t1 - t3;
    }

    /// <summary>A vector of complex numbers, real and imaginary parts apart.</summary>
    readonly struct Split(Vector<float> re, Vector<float> im)
    {
        public readonly Vector<float> Re = re, Im = im;

        public static Split Load(float* re, float* im) => new(Vector.Load(re), Vector.Load(im));
        public void Store(float* re, float* im) { Re.Store(re); Im.Store(im); }
        public static Split operator +(Split a, Split b) => new(a.Re + b.Re, a.Im + b.Im);
        public static Split operator -(Split a, Split b) => new(a.Re - b.Re, a.Im - b.Im);
        public static Split operator *(Split a, Vector<float> s) => new(a.Re * s, a.Im * s);

        /// <summary>-i z = (im, -re).</summary>
        public Split TimesMinusI() => new(Im, -Re);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Radix5(float* xr, float* xi, long step, float* yr, float* yi, int span, Stage st, int tw, bool unit)
    {
        var c1 = new Vector<float>((float)Math.Cos(2 * Math.PI / 5)); var c2 = new Vector<float>((float)Math.Cos(4 * Math.PI / 5));
        var s1 = new Vector<float>((float)Math.Sin(2 * Math.PI / 5)); var s2 = new Vector<float>((float)Math.Sin(4 * Math.PI / 5));
        for (int i = 0; i < span; i += Vector<float>.Count)
        {
            var a0r = Load(xr + i); var a0i = Load(xi + i);
            var a1r = Load(xr + step + i); var a1i = Load(xi + step + i);
            var a2r = Load(xr + 2 * step + i); var a2i = Load(xi + 2 * step + i);
            var a3r = Load(xr + 3 * step + i); var a3i = Load(xi + 3 * step + i);
            var a4r = Load(xr + 4 * step + i); var a4i = Load(xi + 4 * step + i);
            var s14r = a1r + a4r; var s14i = a1i + a4i; var d14r = a1r - a4r; var d14i = a1i - a4i;
            var s23r = a2r + a3r; var s23i = a2i + a3i; var d23r = a2r - a3r; var d23i = a2i - a3i;
            Store(yr + i, a0r + s14r + s23r); Store(yi + i, a0i + s14i + s23i);
            var m1r = a0r + c1 * s14r + c2 * s23r; var m1i = a0i + c1 * s14i + c2 * s23i;
            var m2r = a0r + c2 * s14r + c1 * s23r; var m2i = a0i + c2 * s14i + c1 * s23i;
            var n1r = s1 * d14r + s2 * d23r; var n1i = s1 * d14i + s2 * d23i;
            var n2r = s2 * d14r - s1 * d23r; var n2i = s2 * d14i - s1 * d23i;
            // b1 = m1 - i n1, b4 = m1 + i n1, b2 = m2 - i n2, b3 = m2 + i n2
            StoreOutput(yr + span + i, yi + span + i, m1r + n1i, m1i - n1r, st, tw, unit);
            StoreOutput(yr + 2 * span + i, yi + 2 * span + i, m2r + n2i, m2i - n2r, st, tw + 1, unit);
            StoreOutput(yr + 3 * span + i, yi + 3 * span + i, m2r - n2i, m2i + n2r, st, tw + 2, unit);
            StoreOutput(yr + 4 * span + i, yi + 4 * span + i, m1r - n1i, m1i + n1r, st, tw + 3, unit);
        }
    }

    /// <summary>Stores output b, times its twiddle unless this is the first group (whose twiddles are all 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreOutput(float* outRe, float* outIm, Vector<float> br, Vector<float> bi, Stage st, int twiddle, bool unit)
    {
        if (unit) { Store(outRe, br); Store(outIm, bi); }
        else StoreTwiddled(outRe, outIm, br, bi, st.TwiddleRe[twiddle], st.TwiddleIm[twiddle]);
    }

    /// <summary>Any prime p: the direct DFT b_r = sum_j a_j exp(-2 pi i j r / p), p^2 products per point group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void RadixPrime(float* xr, float* xi, long step, float* yr, float* yi, int span, Stage st, int tw, bool unit)
    {
        int p = st.Radix;
        var (rootRe, rootIm) = _roots[p];
        for (int i = 0; i < span; i += Vector<float>.Count)
            for (int r = 0; r < p; r++)
            {
                var br = Vector<float>.Zero;
                var bi = Vector<float>.Zero;
                for (int j = 0; j < p; j++)
                {
                    int k = j * r % p;
                    var ar = Load(xr + j * step + i); var ai = Load(xi + j * step + i);
                    var c = new Vector<float>(rootRe[k]); var s = new Vector<float>(rootIm[k]);
                    br += ar * c - ai * s;
                    bi += ar * s + ai * c;
                }
                StoreOutput(yr + r * span + i, yi + r * span + i, br, bi, st, tw + r - 1, unit || r == 0);
            }
    }
}
