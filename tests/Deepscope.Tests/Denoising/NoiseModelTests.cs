using System.Globalization;
using Deepscope.Denoising;
using Deepscope.Numerics;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Denoising;

public sealed class NoiseModelTests(ITestOutputHelper output)
{
    const int Side = 256;

    // The same image in both: 97 grey levels in [0, 1] (or [-1, 1] when signed), 256 x 256.
    static float[] Image(bool signed) => Enumerable.Range(0, Side * Side).Select(i => (float)((i * 7 % 97) / 96.0 * (signed ? 2 : 1) - (signed ? 1 : 0))).ToArray();

    public static TheoryData<string, bool, bool> Modes() => new()
    {
        { "gaussian", false, true }, { "gaussian", false, false }, { "localvar", false, true }, { "poisson", false, true },
        { "poisson", true, true }, { "salt", false, true }, { "pepper", true, true }, { "s&p", false, true }, { "s&p", true, true },
        { "speckle", false, true }, { "speckle", true, false },
    };

    /// <summary>
    /// For every mode the mean and the mean square of (noisy - clean), and the fractions at the clip bounds, agree with
    /// scikit-image's random_noise on the same image within 3 standard errors.
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public void Statistics_MatchScikitImage(string mode, bool signed, bool clip)
    {
        PythonPeer.Require("skimage", "numpy");
        var image = Image(signed);
        var localVars = image.Select(v => 0.001f + 0.02f * Math.Abs(v)).ToArray();
        var ours = NoiseModels.Apply(image, new NoiseOptions { Mode = NoiseOptions.ParseMode(mode), Clip = clip, LocalVars = localVars }, new RandomStream(11));
        var script = """
            import sys, numpy as np
            from skimage.util import random_noise
            mode, signed, clip = sys.argv[1], sys.argv[2] == '1', sys.argv[3] == '1'
            n = 256
            img = ((np.arange(n * n) * 7 % 97) / 96.0).reshape(n, n)
            if signed: img = img * 2 - 1
            kw = {'local_vars': 0.001 + 0.02 * np.abs(img)} if mode == 'localvar' else {}
            out = random_noise(img, mode=mode, seed=5, clip=clip, **kw)
            low = -1.0 if signed else 0.0
            d = (out - img).ravel()
            for v in [d, d * d, (out.ravel() == 1.0) * 1.0, (out.ravel() == low) * 1.0]:
                print(v.mean(), v.var())
            """;
        var lines = PythonPeer.Run(script, mode, signed ? "1" : "0", clip ? "1" : "0").Trim().Split('\n')
            .Select(l => l.Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        float low = signed ? -1 : 0;
        double[][] mine =
        [
            ours.Select((v, i) => (double)v - image[i]).ToArray(),
            ours.Select((v, i) => ((double)v - image[i]) * ((double)v - image[i])).ToArray(),
            ours.Select(v => v == 1f ? 1.0 : 0).ToArray(),
            ours.Select(v => v == low ? 1.0 : 0).ToArray(),
        ];
        string[] names = ["mean(d)", "mean(d^2)", "P(out = 1)", "P(out = low)"];
        for (int s = 0; s < 4; s++)
        {
            double mean = mine[s].Average(), variance = mine[s].Select(v => (v - mean) * (v - mean)).Average();
            double standardError = Math.Sqrt((variance + lines[s][1]) / (Side * Side));
            output.WriteLine($"{mode} {names[s]}: ours {mean:G6}, skimage {lines[s][0]:G6}, SE {standardError:G3}");
            Assert.True(Math.Abs(mean - lines[s][0]) <= 3 * standardError + 1e-7, $"{mode} {names[s]}: ours {mean} vs skimage {lines[s][0]} (SE {standardError})");
        }
    }

    [Fact]
    public void Snr_SetsNoiseVarianceFromSignalVariance()
    {
        var image = Image(false);
        var noisy = NoiseModels.Apply(image, new NoiseOptions { Snr = 0.1 }, new RandomStream(2));
        double signalVariance = Variance(image.Select(v => (double)v).ToArray());
        double noiseVariance = Variance(noisy.Select((v, i) => (double)v - image[i]).ToArray());
        Assert.Equal(signalVariance / 0.1, noiseVariance, signalVariance / 0.1 * 0.02);
        // With a mask, only the masked pixels' variance counts; values are not clipped.
        var mask = image.Select((_, i) => i < Side * Side / 2).ToArray();
        var masked = NoiseModels.Apply(image, new NoiseOptions { Snr = 1, Mask = mask }, new RandomStream(2));
        Assert.True(masked.Max() > 1.2f && masked.Min() < -0.2f);
    }

    [Fact]
    public void Seed_GivesSameNoise_AndUnknownModeIsAUserError()
    {
        var image = Image(false);
        Assert.Equal(NoiseModels.Apply(image, new NoiseOptions(), new RandomStream(4)), NoiseModels.Apply(image, new NoiseOptions(), new RandomStream(4)));
        Assert.NotEqual(NoiseModels.Apply(image, new NoiseOptions(), new RandomStream(4)), NoiseModels.Apply(image, new NoiseOptions(), new RandomStream(5)));
        Assert.Contains("unknown noise mode 'blur'", Assert.Throws<DeepscopeException>(() => NoiseOptions.ParseMode("blur")).Message);
    }

    [Fact]
    public void Poisson_HasPoissonMoments()
    {
        var random = new RandomStream(9);
        foreach (double mean in new[] { 0.5, 4, 30, 250 })
        {
            var draws = Enumerable.Range(0, 40000).Select(_ => (double)random.NextPoisson(mean)).ToArray();
            double m = draws.Average();
            Assert.InRange(m, mean - 4 * Math.Sqrt(mean / draws.Length), mean + 4 * Math.Sqrt(mean / draws.Length));
            Assert.InRange(Variance(draws), mean * 0.95, mean * 1.05);
        }
    }

    static double Variance(double[] values)
    {
        double mean = values.Average();
        return values.Select(v => (v - mean) * (v - mean)).Average();
    }
}
