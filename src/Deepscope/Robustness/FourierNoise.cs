using static TorchSharp.torch;

namespace Deepscope.Robustness;

/// <summary>
/// Gaussian noise restricted to a band of the 2D Fourier domain: white noise, its spectrum masked to radii above
/// <see cref="Cutoff"/> (high-pass) or at most <see cref="Cutoff"/> (the low-pass control), transformed back and scaled
/// to a given L2 norm per image. Radii are in units of the Nyquist frequency (1: half a cycle per pixel along an axis;
/// corners reach sqrt 2). Added to images in [0, 1] and clamped back into the box, which can only shrink the noise.
/// </summary>
public sealed record FourierNoise(double Cutoff = 0.5, bool HighPass = true)
{
    public string Name => $"{(HighPass ? "high" : "low")}-pass (radius {(HighPass ? ">" : "<=")} {Cutoff:G3} Nyquist)";

    /// <summary>The (H, W) 0/1 mask of the kept frequencies, in torch.fft's layout.</summary>
    public Tensor Mask(long height, long width)
    {
        using var scope = NewDisposeScope();
        var fy = fft.fftfreq(height).view(-1, 1) / 0.5;
        var fx = fft.fftfreq(width).view(1, -1) / 0.5;
        var radius = (fy.square() + fx.square()).sqrt();
        var kept = HighPass ? radius.gt(Cutoff) : radius.le(Cutoff);
        return kept.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Band-limited noise of the shape (N, C, H, W) with L2 norm <paramref name="norm"/> per example.</summary>
    public Tensor Sample(long[] shape, double norm, Generator random)
    {
        if (shape.Length != 4) throw new DeepscopeException($"Fourier noise needs a shape (N, C, H, W), got [{string.Join(", ", shape)}]");
        if (norm < 0) throw new DeepscopeException($"noise norm must be >= 0, got {norm}");
        using var scope = NewDisposeScope();
        var white = randn(shape, generator: random);
        var band = fft.ifft2(fft.fft2(white) * Mask(shape[2], shape[3])).real;
        var norms = AttackMath.L2Norms(band).clamp_min(1e-12);
        return (band * AttackMath.PerExample(norm / norms, band)).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The images with noise of L2 norm <paramref name="norm"/> added, clamped to [0, 1].</summary>
    public Tensor Apply(Tensor images, double norm, Generator random)
    {
        using var noise = Sample(images.shape, norm, random);
        using var noisy = images + noise;
        return noisy.clamp(0, 1);
    }

    /// <summary>Accuracy of a pixel-space classifier on the images at each noise norm (one seeded draw per norm).</summary>
    public double[] Accuracies(nn.Module<Tensor, Tensor> pixelModel, Tensor images, Tensor labels, IReadOnlyList<double> norms, long seed, int batchSize = 512)
    {
        bool wasTraining = pixelModel.training;
        pixelModel.eval();
        try
        {
            using var _ = no_grad();
            return [.. norms.Select((norm, k) =>
            {
                using var random = new Generator(unchecked((ulong)(seed + k)));
                long correct = 0;
                for (long start = 0; start < images.shape[0]; start += batchSize)
                {
                    using var scope = NewDisposeScope();
                    long n = Math.Min(batchSize, images.shape[0] - start);
                    var noisy = Apply(images.narrow(0, start, n), norm, random);
                    correct += pixelModel.forward(noisy).argmax(1).eq(labels.narrow(0, start, n)).sum().item<long>();
                }
                return correct / (double)images.shape[0];
            })];
        }
        finally
        {
            pixelModel.train(wasTraining);
        }
    }
}
