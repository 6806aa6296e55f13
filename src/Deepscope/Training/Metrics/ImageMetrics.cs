using Deepscope.Data.Sources;
using static TorchSharp.torch;

namespace Deepscope.Training.Metrics;

/// <summary>Per-image scores of output images (N, C, H, W) against a target field, averaged over images.</summary>
public abstract class ImageMetric(string field) : IMetric
{
    double _sum;
    long _count;

    public abstract string Name { get; }
    public bool HigherIsBetter => true;

    public void Reset() => (_sum, _count) = (0, 0);

    public void Update(Tensor output, Batch batch)
    {
        using var scope = NewDisposeScope();
        var target = batch[field];
        if (!output.shape.SequenceEqual(target.shape))
            throw new DeepscopeException($"{Name}: output ({string.Join(", ", output.shape)}) and {field} ({string.Join(", ", target.shape)}) differ in shape");
        var scores = PerImage(output.detach().to_type(ScalarType.Float64), target.to_type(ScalarType.Float64));
        _sum += scores.sum().item<double>();
        _count += scores.shape[0];
    }

    public double Compute() => _sum / _count;

    /// <summary>One score per image (N) float64.</summary>
    protected abstract Tensor PerImage(Tensor output, Tensor target);
}

/// <summary>Peak signal-to-noise ratio in dB, 10 log10(R^2 / MSE) per image, R the data range (1 for [0, 1] images).</summary>
public sealed class PsnrMetric(double dataRange = 1, string field = Fields.Target) : ImageMetric(field)
{
    public override string Name => "psnr";

    protected override Tensor PerImage(Tensor output, Tensor target)
    {
        var mse = (output - target).square().flatten(1).mean([1]);
        return 10 * (dataRange * dataRange / mse).log10();
    }
}

/// <summary>
/// Structural similarity (Wang et al. 2004) as scikit-image's structural_similarity: by default with
/// gaussian_weights=True, sigma 1.5, use_sample_covariance=False (local statistics under an 11x11 Gaussian window);
/// <see cref="Score"/> also gives scikit-image's own defaults (7x7 uniform window, sample covariance). K1 0.01, K2 0.03,
/// the SSIM map averaged over the pixels where the window fits (skimage crops that border) and over channels.
/// </summary>
public sealed class SsimMetric(double dataRange = 1, string field = Fields.Target) : ImageMetric(field)
{
    public override string Name => "ssim";

    protected override Tensor PerImage(Tensor output, Tensor target) => Score(output, target, dataRange, gaussianWeights: true);

    /// <summary>SSIM per image (N) of float64 images (N, C, H, W).</summary>
    public static Tensor Score(Tensor output, Tensor target, double dataRange, bool gaussianWeights)
    {
        int radius = gaussianWeights ? 5 : 3;
        if (output.dim() != 4 || output.shape[2] <= 2 * radius || output.shape[3] <= 2 * radius)
            throw new DeepscopeException($"ssim needs images (N, C, H, W) larger than {2 * radius + 1}x{2 * radius + 1}, got ({string.Join(", ", output.shape)})");
        using var scope = NewDisposeScope();
        long channels = output.shape[1];
        var line = gaussianWeights ? GaussianLine(radius, 1.5) : full(2 * radius + 1, 1.0 / (2 * radius + 1), dtype: ScalarType.Float64);
        var window = line.outer(line).expand(channels, 1, 2 * radius + 1, 2 * radius + 1).contiguous();
        Tensor Filter(Tensor x) => Models.ConvolutionDispatch.Conv2d(x, window, null, [1, 1], [0, 0], [1, 1], channels);
        int points = (2 * radius + 1) * (2 * radius + 1);
        double covarianceNorm = gaussianWeights ? 1 : points / (points - 1.0);
        double c1 = Math.Pow(0.01 * dataRange, 2), c2 = Math.Pow(0.03 * dataRange, 2);
        var (mx, my) = (Filter(output), Filter(target));
        var vx = covarianceNorm * (Filter(output * output) - mx * mx);
        var vy = covarianceNorm * (Filter(target * target) - my * my);
        var cov = covarianceNorm * (Filter(output * target) - mx * my);
        var map = (2 * mx * my + c1) * (2 * cov + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        return map.flatten(1).mean([1]).MoveToOuterDisposeScope();
    }

    static Tensor GaussianLine(int radius, double sigma)
    {
        var offsets = arange(-radius, radius + 1, dtype: ScalarType.Float64);
        var line = (-offsets.square() / (2 * sigma * sigma)).exp();
        return line / line.sum();
    }
}
