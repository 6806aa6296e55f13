using Deepscope.Numerics;

namespace Deepscope.Denoising;

/// <summary>The noise kinds of scikit-image's <c>random_noise</c>.</summary>
public enum NoiseMode { Gaussian, LocalVar, Poisson, Salt, Pepper, SaltAndPepper, Speckle }

/// <summary>
/// <c>skimage.util.random_noise</c>'s parameters with its defaults (<c>mean</c> 0, <c>var</c> 0.01, <c>amount</c> 0.05,
/// <c>salt_vs_pepper</c> 0.5, <c>clip</c> true), plus <see cref="Snr"/>: Gaussian noise of variance signal variance / SNR,
/// the signal variance over the whole image or over <see cref="Mask"/>'s non-zero pixels (then never clipped).
/// </summary>
public sealed record NoiseOptions
{
    public NoiseMode Mode { get; init; } = NoiseMode.Gaussian;
    public double Mean { get; init; }
    public double Var { get; init; } = 0.01;
    /// <summary>Per-pixel variances for <see cref="NoiseMode.LocalVar"/> (scikit-image's <c>local_vars</c>); null is 0.01 everywhere.</summary>
    public float[]? LocalVars { get; init; }
    public double Amount { get; init; } = 0.05;
    public double SaltVsPepper { get; init; } = 0.5;
    public bool Clip { get; init; } = true;
    public double? Snr { get; init; }
    public bool[]? Mask { get; init; }

    /// <summary>A user error for a variance below 0 or a fraction outside [0, 1] (scikit-image would draw NaNs or flip every pixel).</summary>
    public void Validate()
    {
        if (!(Var >= 0)) throw new DeepscopeException($"the noise variance must be >= 0, got {Var}");
        if (!(Amount is >= 0 and <= 1)) throw new DeepscopeException($"the noise amount is a fraction of the pixels in [0, 1], got {Amount}");
        if (!(SaltVsPepper is >= 0 and <= 1)) throw new DeepscopeException($"salt_vs_pepper is a fraction in [0, 1], got {SaltVsPepper}");
    }

    public static NoiseMode ParseMode(string text) => text.Trim().ToLowerInvariant() switch
    {
        "gaussian" => NoiseMode.Gaussian,
        "localvar" => NoiseMode.LocalVar,
        "poisson" => NoiseMode.Poisson,
        "salt" => NoiseMode.Salt,
        "pepper" => NoiseMode.Pepper,
        "s&p" => NoiseMode.SaltAndPepper,
        "speckle" => NoiseMode.Speckle,
        _ => throw new DeepscopeException($"unknown noise mode '{text}' (known: gaussian, localvar, poisson, salt, pepper, s&p, speckle)"),
    };
}

/// <summary>
/// Adds noise as <c>skimage.util.random_noise</c> does to a float image (scikit-image's <c>img_as_float</c> scale:
/// unsigned data in [0, 1], signed in [-1, 1]): the same formulas, defaults and clipping — to [-1, 1] when the input
/// has negative values, else to [0, 1]; salt sets 1 and pepper the low clip value; Poisson scales by the next power of 2
/// of the number of distinct values (shifting signed images into [0, 1] first). The random numbers come from
/// <see cref="RandomStream"/>, so values differ from numpy's while every statistic agrees.
/// </summary>
public static class NoiseModels
{
    public static float[] Apply(ReadOnlySpan<float> image, NoiseOptions options, RandomStream random)
    {
        options.Validate();
        var output = image.ToArray();
        if (output.Length == 0) return output;
        float lowClip = Min(image) < 0 ? -1f : 0f;
        if (options.Snr is { } snr)
        {
            AddAtSnr(output, snr, options.Mask, random);
            return output;
        }
        switch (options.Mode)
        {
            case NoiseMode.Gaussian:
                double std = Math.Sqrt(options.Var);
                for (int i = 0; i < output.Length; i++) output[i] += (float)(options.Mean + std * random.NextNormal());
                break;
            case NoiseMode.LocalVar:
                if (options.LocalVars is { } vars && vars.Length != output.Length)
                    throw new DeepscopeException($"local_vars has {vars.Length} values for an image of {output.Length}");
                for (int i = 0; i < output.Length; i++) output[i] += (float)(Math.Sqrt(options.LocalVars?[i] ?? 0.01) * random.NextNormal());
                break;
            case NoiseMode.Poisson:
                AddPoisson(output, lowClip, random);
                break;
            case NoiseMode.Salt:
                SaltAndPepper(output, options.Amount, 1, lowClip, random);
                break;
            case NoiseMode.Pepper:
                SaltAndPepper(output, options.Amount, 0, lowClip, random);
                break;
            case NoiseMode.SaltAndPepper:
                SaltAndPepper(output, options.Amount, options.SaltVsPepper, lowClip, random);
                break;
            case NoiseMode.Speckle:
                double speckleStd = Math.Sqrt(options.Var);
                for (int i = 0; i < output.Length; i++) output[i] += (float)(output[i] * (options.Mean + speckleStd * random.NextNormal()));
                break;
        }
        if (options.Clip)
            for (int i = 0; i < output.Length; i++) output[i] = Math.Clamp(output[i], lowClip, 1f);
        return output;
    }

    /// <summary>Gaussian noise of variance (signal variance / <paramref name="snr"/>), the variance over the mask or the whole image.</summary>
    public static void AddAtSnr(float[] image, double snr, bool[]? mask, RandomStream random)
    {
        if (!(snr > 0)) throw new DeepscopeException($"snr must be > 0, got {snr}");
        if (mask != null && mask.Length != image.Length) throw new DeepscopeException($"the mask has {mask.Length} values for an image of {image.Length}");
        double sum = 0, squares = 0;
        long count = 0;
        for (int i = 0; i < image.Length; i++)
        {
            if (mask != null && !mask[i]) continue;
            sum += image[i];
            squares += (double)image[i] * image[i];
            count++;
        }
        if (count == 0) throw new DeepscopeException("the signal mask selects no pixel");
        double mean = sum / count, variance = Math.Max(0, squares / count - mean * mean);
        double std = Math.Sqrt(variance / snr);
        for (int i = 0; i < image.Length; i++) image[i] += (float)(std * random.NextNormal());
    }

    static void AddPoisson(float[] output, float lowClip, RandomStream random)
    {
        double levels = Math.Pow(2, Math.Ceiling(Math.Log2(output.Distinct().Count())));
        double oldMax = Max(output);
        // Values below -1 would give negative Poisson means (numpy raises there too).
        if (lowClip < 0 && Min(output) < -1)
            throw new DeepscopeException($"poisson noise needs values in [-1, 1] or [0, 1] (scikit-image's float scale), got a minimum of {Min(output):G4}");
        for (int i = 0; i < output.Length; i++)
        {
            double value = lowClip < 0 ? (output[i] + 1.0) / (oldMax + 1.0) : output[i];
            double noisy = random.NextPoisson(value * levels) / levels;
            output[i] = (float)(lowClip < 0 ? noisy * (oldMax + 1.0) - 1.0 : noisy);
        }
    }

    // As scikit-image: every pixel flips with probability amount; a flipped pixel is salt with probability saltVsPepper.
    static void SaltAndPepper(float[] output, double amount, double saltVsPepper, float lowClip, RandomStream random)
    {
        for (int i = 0; i < output.Length; i++)
        {
            bool flipped = random.NextDouble() <= amount;
            bool salted = random.NextDouble() <= saltVsPepper;
            if (flipped) output[i] = salted ? 1f : lowClip;
        }
    }

    static float Min(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity;
        foreach (var v in values) min = Math.Min(min, v);
        return min;
    }

    static float Max(ReadOnlySpan<float> values)
    {
        float max = float.NegativeInfinity;
        foreach (var v in values) max = Math.Max(max, v);
        return max;
    }
}
