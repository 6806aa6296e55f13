using Deepscope.Data.Sources;
using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Denoising.Networks;

/// <summary>
/// Training patches cut from whole images, each made from its <see cref="ExampleSeed"/> alone (image, corner, one of
/// the 8 flips/rotations of DnCNN's augmentation, and the noise), so an epoch replays exactly. Images are standardised
/// as <see cref="NetworkDenoiser"/> standardises a noisy image: by its mean and by the standard deviation the noisy
/// image has (sqrt(signal variance + noise variance)).
/// </summary>
public sealed class PatchExamples
{
    readonly IReadOnlyList<Plane> _images;
    readonly bool _clean;
    readonly double[] _means, _variances, _snrs;
    readonly int _patch;

    /// <summary>
    /// <paramref name="clean"/> true: clean images, Gaussian noise of variance (image variance / SNR) added per example,
    /// the SNR drawn per example from <paramref name="snrs"/> (one value: a fixed noise level; several: a blind
    /// model); false: images already noisy (real data), only Noise2Void can use them. <paramref name="source"/> names
    /// the images in errors (their file).
    /// </summary>
    public PatchExamples(IReadOnlyList<Plane> images, bool clean, IReadOnlyList<double> snrs, int patch, string source = "training images")
    {
        if (images.Count == 0) throw new DeepscopeException($"{source}: no image to train on");
        if (images.FirstOrDefault(p => p.Height < patch || p.Width < patch) is { } small)
            throw new DeepscopeException($"{source}: a {small.Height}x{small.Width} image is smaller than the {patch}x{patch} training patches");
        if (clean && (snrs.Count == 0 || snrs.Any(s => !(s > 0)))) throw new DeepscopeException($"training SNRs must be > 0, got [{string.Join(", ", snrs)}]");
        (_images, _clean, _patch, _snrs) = (images, clean, patch, clean ? [.. snrs] : [double.PositiveInfinity]);
        _means = new double[images.Count];
        _variances = new double[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            double mean = images[i].Pixels.Average(v => (double)v);
            _means[i] = mean;
            _variances[i] = Math.Max(1e-24, images[i].Pixels.Average(v => (v - mean) * (v - mean)));
        }
    }

    /// <summary>A source of <paramref name="count"/> patches per epoch (new ones each epoch) with the fields <paramref name="method"/> trains on.</summary>
    public GeneratedSource Source(string method, long count, ulong seed, double blindSpotFraction = BlindSpots.DefaultFraction)
    {
        if (!_clean && method != DenoiserMethods.Noise2Void)
            throw new DeepscopeException($"{method} needs clean images (or pairs) to train; only {DenoiserMethods.Noise2Void} learns from noisy images alone");
        long[] shape = [1, _patch, _patch];
        FieldSpec[] fields = method == DenoiserMethods.Noise2Void
            ? [new(Fields.Input, ScalarType.Float32, shape), new(Fields.Target, ScalarType.Float32, [2, _patch, _patch])]
            : [new(Fields.Input, ScalarType.Float32, shape), new(Fields.Target, ScalarType.Float32, shape)];
        return new GeneratedSource(count, fields, example => Example(method, example, blindSpotFraction), seed);
    }

    Dictionary<string, Tensor> Example(string method, ExampleSeed example, double blindSpotFraction)
    {
        var random = new RandomStream(example.Seed);
        int image = (int)(random.NextBits() % (ulong)_images.Count);
        var source = _images[image];
        int top = (int)(random.NextBits() % (ulong)(source.Height - _patch + 1)), left = (int)(random.NextBits() % (ulong)(source.Width - _patch + 1));
        int orientation = (int)(random.NextBits() % 8);
        double snr = _snrs[(int)(random.NextBits() % (ulong)_snrs.Length)];
        double noiseVariance = _clean ? _variances[image] / snr : 0;
        double scale = Math.Sqrt(_variances[image] + noiseVariance);
        var signal = new float[_patch * _patch];
        for (int y = 0; y < _patch; y++)
            for (int x = 0; x < _patch; x++)
            {
                var (sy, sx) = Orient(y, x, orientation);
                signal[y * _patch + x] = (float)((source[top + sy, left + sx] - _means[image]) / scale);
            }
        float noise = (float)(Math.Sqrt(noiseVariance) / scale);
        float[] Noisy()
        {
            var values = (float[])signal.Clone();
            if (_clean) for (int i = 0; i < values.Length; i++) values[i] += noise * (float)random.NextNormal();
            return values;
        }
        var input = Noisy();
        long[] shape = [1, _patch, _patch];
        return method switch
        {
            DenoiserMethods.Noise2Void => BlindSpots.Example(input, _patch, blindSpotFraction, random),
            // Noise2Noise: the target is a second, independent noisy copy of the same clean patch.
            DenoiserMethods.Noise2Noise => new() { [Fields.Input] = tensor(input, shape), [Fields.Target] = tensor(Noisy(), shape) },
            _ => new() { [Fields.Input] = tensor(input, shape), [Fields.Target] = tensor(signal, shape) },
        };
    }

    // One of the 8 symmetries of the square: transpose or not, then flip rows and/or columns.
    (int Y, int X) Orient(int y, int x, int orientation)
    {
        if ((orientation & 4) != 0) (y, x) = (x, y);
        if ((orientation & 1) != 0) y = _patch - 1 - y;
        if ((orientation & 2) != 0) x = _patch - 1 - x;
        return (y, x);
    }
}

/// <summary>
/// Noise2Void's blind spots (Krull, Buchholz, Jug, CVPR 2019): a fraction of a patch's pixels are replaced by a
/// random other pixel of their 5x5 neighbourhood, and the loss is taken at those pixels only against the original
/// noisy values; so the network cannot learn the identity, and with pixel-independent noise it learns the signal.
/// </summary>
public static class BlindSpots
{
    public const double DefaultFraction = 0.02;
    const int Radius = 2;

    /// <summary>Input = the masked patch; target channels = (original noisy patch, 1 at the blind spots else 0).</summary>
    public static Dictionary<string, Tensor> Example(float[] noisy, int side, double fraction, RandomStream random)
    {
        var (masked, mask) = Mask(noisy, side, fraction, random);
        return new()
        {
            [Fields.Input] = tensor(masked, [1, side, side]),
            [Fields.Target] = cat([tensor(noisy, [1, side, side]), tensor(mask, [1, side, side])]),
        };
    }

    /// <summary>
    /// The masked copy and the mask (at least one pixel). Replacements come from unmasked pixels only, so no blind
    /// spot's own value is anywhere in the masked copy: the network's output there cannot depend on it.
    /// </summary>
    public static (float[] Masked, float[] Mask) Mask(float[] noisy, int side, double fraction, RandomStream random)
    {
        var masked = (float[])noisy.Clone();
        var mask = new float[noisy.Length];
        int count = Math.Clamp((int)Math.Round(fraction * noisy.Length), 1, noisy.Length / 2);
        var spots = new List<int>(count);
        while (spots.Count < count)
        {
            int index = (int)(random.NextBits() % (ulong)noisy.Length);
            if (mask[index] != 0) continue;
            mask[index] = 1;
            spots.Add(index);
        }
        foreach (int index in spots)
        {
            int y = index / side, x = index % side;
            for (int attempt = 0; ; attempt++)
            {
                int ny = y + (int)(random.NextBits() % (2 * Radius + 1)) - Radius, nx = x + (int)(random.NextBits() % (2 * Radius + 1)) - Radius;
                if (ny >= 0 && ny < side && nx >= 0 && nx < side && mask[ny * side + nx] == 0)
                {
                    masked[index] = noisy[ny * side + nx];
                    break;
                }
                // A neighbourhood all masked (possible only at absurd fractions): take the patch mean of the unmasked.
                if (attempt == 100)
                {
                    masked[index] = (float)Enumerable.Range(0, noisy.Length).Where(i => mask[i] == 0).Average(i => noisy[i]);
                    break;
                }
            }
        }
        return (masked, mask);
    }

    /// <summary>Mean squared error at the blind spots: target channel 0 holds the noisy values, channel 1 the mask.</summary>
    public static Tensor Loss(Tensor output, Tensor target)
    {
        var values = target[.., 0..1];
        var mask = target[.., 1..2];
        return ((output - values).square() * mask).sum() / mask.sum().clamp_min(1);
    }
}
