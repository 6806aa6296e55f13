using Deepscope.Catalogs;

namespace Deepscope.Denoising;

public sealed record GaussianFilterOptions
{
    [Param("filter_sigma", Min = 0, Description = "standard deviation of the Gaussian kernel in pixels")]
    public double FilterSigma { get; init; } = 1;
    [Param(Min = 0.5, Description = "kernel radius in standard deviations (scipy's truncate)")]
    public double Truncate { get; init; } = 4;
}

/// <summary>Gaussian smoothing as scipy.ndimage.gaussian_filter (mode 'reflect': the border pixel repeated, d c b a | a b c d).</summary>
public sealed class GaussianFilter(GaussianFilterOptions options) : IDenoiser
{
    public Plane Denoise(Plane noisy, double? sigma)
    {
        int radius = (int)(options.Truncate * options.FilterSigma + 0.5);
        var kernel = new double[2 * radius + 1];
        for (int i = -radius; i <= radius; i++) kernel[i + radius] = options.FilterSigma > 0 ? Math.Exp(-0.5 * i * i / (options.FilterSigma * options.FilterSigma)) : 1;
        double total = kernel.Sum();
        for (int i = 0; i < kernel.Length; i++) kernel[i] /= total;
        var rows = Convolve(noisy, kernel, horizontal: true);
        return Convolve(rows, kernel, horizontal: false);
    }

    static Plane Convolve(Plane image, double[] kernel, bool horizontal)
    {
        int radius = kernel.Length / 2;
        var output = new Plane(image.Height, image.Width);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                double sum = 0;
                for (int k = -radius; k <= radius; k++)
                    sum += kernel[k + radius] * (horizontal ? image[y, Reflect(x + k, image.Width)] : image[Reflect(y + k, image.Height), x]);
                output[y, x] = (float)sum;
            }
        return output;
    }

    /// <summary>scipy.ndimage's 'reflect' border (half-sample symmetric), for any offset.</summary>
    internal static int Reflect(int i, int n)
    {
        int period = 2 * n;
        i = ((i % period) + period) % period;
        return i < n ? i : period - 1 - i;
    }
}

public sealed record MedianFilterOptions
{
    [Param(Min = 1, Max = 99, Description = "side of the square window (odd)")]
    public int Size { get; init; } = 3;
}

/// <summary>Median over a square window, as scipy.ndimage.median_filter (mode 'reflect').</summary>
public sealed class MedianFilter(MedianFilterOptions options) : IDenoiser
{
    readonly int _side = OddWindow(options.Size, "median: size");

    /// <summary>A user error for an even window side: the filters centre their window on the pixel (scipy would shift it).</summary>
    internal static int OddWindow(int side, string what) =>
        side % 2 == 1 ? side : throw new DeepscopeException($"{what} must be odd (a window centred on the pixel), got {side}");

    public Plane Denoise(Plane noisy, double? sigma)
    {
        int radius = _side / 2;
        var output = new Plane(noisy.Height, noisy.Width);
        Parallel.For(0, noisy.Height, () => new float[_side * _side], (y, _, window) =>
        {
            for (int x = 0; x < noisy.Width; x++)
            {
                int count = 0;
                for (int dy = -radius; dy <= radius; dy++)
                    for (int dx = -radius; dx <= radius; dx++)
                        window[count++] = noisy[GaussianFilter.Reflect(y + dy, noisy.Height), GaussianFilter.Reflect(x + dx, noisy.Width)];
                Array.Sort(window);
                output[y, x] = window[count / 2];
            }
            return window;
        }, _ => { });
        return output;
    }
}

public sealed record WienerFilterOptions
{
    [Param("mysize", Min = 1, Max = 99, Description = "side of the square window of local statistics (odd)")]
    public int Size { get; init; } = 3;
}

/// <summary>
/// The adaptive Wiener filter of scipy.signal.wiener (Lim 1990): local mean m and variance v over the window (zeros
/// outside the image, as scipy's 'same' correlation), output m + (1 - noise / v)(x - m), or m where v &lt; noise. The
/// noise power is sigma^2 when sigma is given, else the mean local variance (scipy's default).
/// </summary>
public sealed class WienerFilter(WienerFilterOptions options) : IDenoiser
{
    readonly int _side = MedianFilter.OddWindow(options.Size, "wiener: mysize");

    public Plane Denoise(Plane noisy, double? sigma)
    {
        int radius = _side / 2, area = _side * _side;
        var mean = new double[noisy.Pixels.Length];
        var variance = new double[noisy.Pixels.Length];
        for (int y = 0; y < noisy.Height; y++)
            for (int x = 0; x < noisy.Width; x++)
            {
                double sum = 0, squares = 0;
                for (int dy = -radius; dy <= radius; dy++)
                    for (int dx = -radius; dx <= radius; dx++)
                    {
                        int yy = y + dy, xx = x + dx;
                        if (yy < 0 || yy >= noisy.Height || xx < 0 || xx >= noisy.Width) continue;
                        double v = noisy[yy, xx];
                        sum += v;
                        squares += v * v;
                    }
                int i = y * noisy.Width + x;
                mean[i] = sum / area;
                variance[i] = squares / area - mean[i] * mean[i];
            }
        double noise = sigma is { } s ? s * s : variance.Average();
        var output = new Plane(noisy.Height, noisy.Width);
        for (int i = 0; i < output.Pixels.Length; i++)
            output.Pixels[i] = (float)(variance[i] < noise ? mean[i] : mean[i] + (1 - noise / variance[i]) * (noisy.Pixels[i] - mean[i]));
        return output;
    }
}
