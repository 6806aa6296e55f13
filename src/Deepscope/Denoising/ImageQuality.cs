using Deepscope.Training.Metrics;
using static TorchSharp.torch;

namespace Deepscope.Denoising;

/// <summary>The scores of a denoised image against the clean one.</summary>
public sealed record QualityScores(double Mse, double Psnr, double Ssim);

/// <summary>
/// Full-reference image quality as scikit-image's <c>skimage.metrics</c> defines it: mean squared error, PSNR
/// 10 log10(data_range^2 / MSE), SSIM with scikit-image's defaults (7x7 uniform window, sample covariance; the
/// trainer's <see cref="SsimMetric"/> computes it), and the Fourier ring correlation of two images.
/// </summary>
public static class ImageQuality
{
    public static double Mse(Plane reference, Plane image)
    {
        reference.CheckSameShape(image, "mse");
        double sum = 0;
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            double d = (double)reference.Pixels[i] - image.Pixels[i];
            sum += d * d;
        }
        return sum / image.Pixels.Length;
    }

    public static double Psnr(Plane reference, Plane image, double dataRange) => 10 * Math.Log10(dataRange * dataRange / Mse(reference, image));

    /// <summary>SSIM; <paramref name="gaussianWeights"/> as scikit-image's flag of that name (then 11x11, sigma 1.5, population covariance).</summary>
    public static double Ssim(Plane reference, Plane image, double dataRange, bool gaussianWeights = false)
    {
        reference.CheckSameShape(image, "ssim");
        using var scope = NewDisposeScope();
        return SsimMetric.Score(AsTensor(image), AsTensor(reference), dataRange, gaussianWeights).item<double>();
    }

    public static QualityScores Scores(Plane reference, Plane image, double dataRange) =>
        new(Mse(reference, image), Psnr(reference, image, dataRange), Ssim(reference, image, dataRange));

    /// <summary>
    /// The image rounded and saturated to 8 bits, as MATLAB's im2uint8 (the DnCNN protocol scores PSNR on uint8).
    /// </summary>
    public static Plane Quantised(Plane image, double dataRange = 255)
    {
        var pixels = new float[image.Pixels.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)(Math.Clamp(Math.Round(image.Pixels[i] * 255 / dataRange, MidpointRounding.AwayFromZero), 0, 255) * dataRange / 255);
        return image with { Pixels = pixels };
    }

    /// <summary>
    /// Fourier ring correlation: for each ring of integer radius r (in frequency-index units, the FFT's centred grid,
    /// r = 0 .. min(H, W)/2 - 1) Re(sum F1 F2*) / sqrt(sum |F1|^2 sum |F2|^2).
    /// </summary>
    public static double[] FourierRingCorrelation(Plane a, Plane b)
    {
        a.CheckSameShape(b, "frc");
        using var scope = NewDisposeScope();
        var fa = fft.fftshift(fft.fft2(AsTensor(a).squeeze()));
        var fb = fft.fftshift(fft.fft2(AsTensor(b).squeeze()));
        var y = arange(a.Height, dtype: ScalarType.Float64) - a.Height / 2;
        var x = arange(a.Width, dtype: ScalarType.Float64) - a.Width / 2;
        var radius = (y.unsqueeze(1).square() + x.unsqueeze(0).square()).sqrt().round().to_type(ScalarType.Int64).flatten();
        int rings = Math.Min(a.Height, a.Width) / 2;
        Tensor RingSum(Tensor values) => zeros(rings + Math.Max(a.Height, a.Width), dtype: ScalarType.Float64).index_add(0, radius, values.flatten(), 1)[..rings];
        var cross = RingSum((fa * fb.conj()).real);
        var power = RingSum(fa.abs().square()) * RingSum(fb.abs().square());
        var frc = cross / power.sqrt().clamp_min(1e-300);
        return frc.data<double>().ToArray();
    }

    /// <summary>
    /// The first ring past the centre where <paramref name="frc"/> falls below 0.5, or -1 when it never does. Ring 0 is
    /// the mean alone, whose sign is arbitrary for zero-mean images (particles), so it does not count.
    /// </summary>
    public static int FrcHalfRing(double[] frc) => frc.Length < 2 ? -1 : Array.FindIndex(frc, 1, v => v < 0.5);

    static Tensor AsTensor(Plane plane) =>
        tensor(plane.Pixels, [1, 1, plane.Height, plane.Width]).to_type(ScalarType.Float64);
}
