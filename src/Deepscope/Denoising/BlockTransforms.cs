namespace Deepscope.Denoising;

/// <summary>
/// The separable block transforms of BM3D (Dabov et al. 2007) as square matrices T (coefficients = T x T' for a block x):
/// the full dyadic bior1.5 wavelet decomposition (periodic) and the orthonormal DCT-II, each with rows of unit norm as
/// Dabov's getTransfMatrix, the orthonormal 1D Haar transform along a group, and the Kaiser window of the aggregation.
/// </summary>
public static class BlockTransforms
{
    // bior1.5 analysis filters (Cohen-Daubechies-Feauveau, 1 vanishing moment of the synthesis, 5 of the analysis).
    static readonly double[] Bior15Low =
        [0.016572815184059706, -0.016572815184059706, -0.12153397801643785, 0.12153397801643785, 0.7071067811865476,
         0.7071067811865476, 0.12153397801643785, -0.12153397801643785, -0.016572815184059706, 0.016572815184059706];
    static readonly double[] Bior15High = [0, 0, 0, 0, -0.7071067811865476, 0.7071067811865476, 0, 0, 0, 0];

    /// <summary>Full periodic bior1.5 decomposition of length <paramref name="n"/> (a power of 2), rows normalised.</summary>
    public static double[,] Bior15(int n)
    {
        if (n < 2 || (n & (n - 1)) != 0) throw new ArgumentException($"bior1.5 blocks are a power of 2, got {n}");
        var matrix = new double[n, n];
        for (int column = 0; column < n; column++)
        {
            var signal = new double[n];
            signal[column] = 1;
            var coefficients = new double[n];
            // Ordered as wavedec: coarsest approximation, then details from coarse to fine.
            for (int length = n; length > 1; length /= 2)
            {
                var (approximation, detail) = (Periodic(signal, length, Bior15Low), Periodic(signal, length, Bior15High));
                Array.Copy(detail, 0, coefficients, length / 2, length / 2);
                Array.Copy(approximation, signal, length / 2);
                if (length == 2) coefficients[0] = approximation[0];
            }
            for (int row = 0; row < n; row++) matrix[row, column] = coefficients[row];
        }
        return NormaliseRows(matrix);
    }

    // One analysis level with periodisation (as PyWavelets' and MATLAB's 'per' mode): out[k] = sum_j f[j] x[(L/2 + 2k - j) mod n].
    static double[] Periodic(double[] signal, int length, double[] filter)
    {
        var output = new double[length / 2];
        for (int k = 0; k < length / 2; k++)
            for (int j = 0; j < filter.Length; j++)
                output[k] += filter[j] * signal[(((filter.Length / 2 + 2 * k - j) % length) + length) % length];
        return output;
    }

    /// <summary>Orthonormal DCT-II of length <paramref name="n"/>.</summary>
    public static double[,] Dct(int n)
    {
        var matrix = new double[n, n];
        for (int k = 0; k < n; k++)
            for (int i = 0; i < n; i++)
                matrix[k, i] = Math.Sqrt((k == 0 ? 1.0 : 2.0) / n) * Math.Cos(Math.PI * (2 * i + 1) * k / (2.0 * n));
        return matrix;
    }

    static double[,] NormaliseRows(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        for (int row = 0; row < n; row++)
        {
            double norm = 0;
            for (int i = 0; i < n; i++) norm += matrix[row, i] * matrix[row, i];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < n; i++) matrix[row, i] /= norm;
        }
        return matrix;
    }

    /// <summary>The inverse of a square matrix by Gauss-Jordan elimination with partial pivoting.</summary>
    public static double[,] Inverse(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var inverse = new double[n, n];
        for (int i = 0; i < n; i++) inverse[i, i] = 1;
        for (int column = 0; column < n; column++)
        {
            int pivot = column;
            for (int row = column + 1; row < n; row++)
                if (Math.Abs(a[row, column]) > Math.Abs(a[pivot, column])) pivot = row;
            for (int j = 0; j < n; j++)
            {
                (a[column, j], a[pivot, j]) = (a[pivot, j], a[column, j]);
                (inverse[column, j], inverse[pivot, j]) = (inverse[pivot, j], inverse[column, j]);
            }
            double scale = 1 / a[column, column];
            for (int j = 0; j < n; j++) { a[column, j] *= scale; inverse[column, j] *= scale; }
            for (int row = 0; row < n; row++)
            {
                if (row == column || a[row, column] == 0) continue;
                double factor = a[row, column];
                for (int j = 0; j < n; j++) { a[row, j] -= factor * a[column, j]; inverse[row, j] -= factor * inverse[column, j]; }
            }
        }
        return inverse;
    }

    /// <summary>The 2D Kaiser window w(i) w(j) of side <paramref name="n"/> and shape <paramref name="beta"/>, row-major.</summary>
    public static float[] Kaiser2D(int n, double beta)
    {
        var line = new double[n];
        for (int i = 0; i < n; i++)
        {
            double r = n == 1 ? 0 : 2.0 * i / (n - 1) - 1;
            line[i] = BesselI0(beta * Math.Sqrt(1 - r * r)) / BesselI0(beta);
        }
        var window = new float[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) window[i * n + j] = (float)(line[i] * line[j]);
        return window;
    }

    static double BesselI0(double x)
    {
        double sum = 1, term = 1, quarter = x * x / 4;
        for (int k = 1; k < 50 && term > 1e-17 * sum; k++)
        {
            term *= quarter / ((double)k * k);
            sum += term;
        }
        return sum;
    }

    /// <summary>
    /// In-place orthonormal Haar transform (full decomposition) of the <paramref name="count"/> (a power of 2) values
    /// data[offset + i * stride]; <paramref name="scratch"/> holds at least count values.
    /// </summary>
    public static void Haar(Span<float> data, int offset, int stride, int count, Span<float> scratch)
    {
        const float invSqrt2 = 0.70710678118654752f;
        for (int length = count; length > 1; length /= 2)
        {
            int half = length / 2;
            for (int i = 0; i < half; i++)
            {
                float a = data[offset + 2 * i * stride], b = data[offset + (2 * i + 1) * stride];
                scratch[i] = (a + b) * invSqrt2;
                scratch[half + i] = (a - b) * invSqrt2;
            }
            for (int i = 0; i < length; i++) data[offset + i * stride] = scratch[i];
        }
    }

    /// <summary>The inverse of <see cref="Haar"/>.</summary>
    public static void InverseHaar(Span<float> data, int offset, int stride, int count, Span<float> scratch)
    {
        const float invSqrt2 = 0.70710678118654752f;
        for (int length = 2; length <= count; length *= 2)
        {
            int half = length / 2;
            for (int i = 0; i < half; i++)
            {
                float a = data[offset + i * stride], d = data[offset + (half + i) * stride];
                scratch[2 * i] = (a + d) * invSqrt2;
                scratch[2 * i + 1] = (a - d) * invSqrt2;
            }
            for (int i = 0; i < length; i++) data[offset + i * stride] = scratch[i];
        }
    }
}
