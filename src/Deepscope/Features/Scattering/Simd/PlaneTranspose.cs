using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Deepscope.Features.Scattering.Simd;

/// <summary>Transposes of interleaved <see cref="Planes"/>, in 8 x 8 register blocks where AVX is available.</summary>
internal static unsafe class PlaneTranspose
{
    /// <summary>Planes (R, C, X) to (X, C, R): target[x, c, r] = source[r, c, x], real and imaginary parts.</summary>
    public static void Apply(Planes source, Planes target)
    {
        for (int c = 0; c < source.Count; c++)
        {
            Matrix(source.Re + c * source.Cols, source.Pitch, target.Re + c * target.Cols, target.Pitch, source.Rows, source.Cols, Avx.IsSupported);
            if (source.IsComplex)
                Matrix(source.Im + c * source.Cols, source.Pitch, target.Im + c * target.Cols, target.Pitch, source.Rows, source.Cols, Avx.IsSupported);
        }
    }

    /// <summary>to[x * toPitch + r] = from[r * fromPitch + x] for r &lt; rows, x &lt; cols.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Matrix(float* from, long fromPitch, float* to, long toPitch, int rows, int cols, bool blocks)
    {
        int r0 = 0;
        if (blocks)
            for (; r0 + 8 <= rows; r0 += 8)
            {
                int x0 = 0;
                for (; x0 + 8 <= cols; x0 += 8) Block8(from + r0 * fromPitch + x0, fromPitch, to + x0 * toPitch + r0, toPitch);
                Scalar(from, fromPitch, to, toPitch, r0, r0 + 8, x0, cols);
            }
        Scalar(from, fromPitch, to, toPitch, r0, rows, 0, cols);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Scalar(float* from, long fromPitch, float* to, long toPitch, int rowStart, int rowEnd, int colStart, int colEnd)
    {
        for (int r = rowStart; r < rowEnd; r++)
            for (int x = colStart; x < colEnd; x++) to[x * toPitch + r] = from[r * fromPitch + x];
    }

    /// <summary>One 8 x 8 block: unpack pairs of rows, shuffle quads, then swap 128-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Block8(float* from, long fromPitch, float* to, long toPitch)
    {
        var r0 = Avx.LoadVector256(from);
        var r1 = Avx.LoadVector256(from + fromPitch);
        var r2 = Avx.LoadVector256(from + 2 * fromPitch);
        var r3 = Avx.LoadVector256(from + 3 * fromPitch);
        var r4 = Avx.LoadVector256(from + 4 * fromPitch);
        var r5 = Avx.LoadVector256(from + 5 * fromPitch);
        var r6 = Avx.LoadVector256(from + 6 * fromPitch);
        var r7 = Avx.LoadVector256(from + 7 * fromPitch);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE), s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE), s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(to, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(to + toPitch, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(to + 2 * toPitch, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(to + 3 * toPitch, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(to + 4 * toPitch, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(to + 5 * toPitch, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(to + 6 * toPitch, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(to + 7 * toPitch, Avx.Permute2x128(s3, s7, 0x31));
    }
}
