namespace Deepscope.Denoising;

/// <summary>
/// Donoho's robust noise estimate, as scikit-image's estimate_sigma: the median absolute value of the finest diagonal
/// (HH) Daubechies-2 wavelet coefficients over 0.6745 (the normal distribution's 75th percentile). Coefficients are
/// taken where the filter fits inside the image (scikit-image extends the border symmetrically).
/// </summary>
public static class NoiseEstimation
{
    static readonly double[] Db2High = [-0.48296291314469025, 0.836516303737469, -0.22414386804185735, -0.12940952255092145];
    const double NormalQuartile = 0.6744897501960817;

    public static double Sigma(Plane image)
    {
        if (image.Height < Db2High.Length || image.Width < Db2High.Length) throw new DeepscopeException($"cannot estimate the noise of a {image.Height}x{image.Width} image (smaller than 4x4)");
        int rows = (image.Height - Db2High.Length) / 2 + 1, columns = (image.Width - Db2High.Length) / 2 + 1;
        var magnitudes = new List<double>(rows * columns);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                double sum = 0;
                for (int i = 0; i < Db2High.Length; i++)
                    for (int j = 0; j < Db2High.Length; j++)
                        sum += Db2High[i] * Db2High[j] * image[2 * r + i, 2 * c + j];
                if (sum != 0) magnitudes.Add(Math.Abs(sum));
            }
        if (magnitudes.Count == 0) return 0;
        magnitudes.Sort();
        int m = magnitudes.Count;
        double median = m % 2 == 1 ? magnitudes[m / 2] : (magnitudes[m / 2 - 1] + magnitudes[m / 2]) / 2;
        return median / NormalQuartile;
    }
}
