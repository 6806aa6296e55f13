using Deepscope.Robustness;
using Deepscope.Tests.Training;
using static TorchSharp.torch;

namespace Deepscope.Tests.Robustness;

/// <summary>Band-limited noise has its energy in its band only, the asked norm, and a seed.</summary>
public class FourierNoiseTests : IClassFixture<SingleThreaded>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NoiseLivesInItsBandAtTheAskedNorm(bool highPass)
    {
        var noise = new FourierNoise(0.5, highPass);
        using var sample = noise.Sample([4, 1, 16, 16], 2.5, new Generator(3));
        Assert.All(AttackMath.L2Norms(sample).data<float>().ToArray(), n => Assert.Equal(2.5, n, 4));
        using var power = fft.fft2(sample).abs().square().sum([0, 1]);
        using var outside = 1 - noise.Mask(16, 16);
        double leaked = (power * outside).sum().item<float>() / power.sum().item<float>();
        Assert.True(leaked < 1e-8, $"{noise.Name}: {leaked:P6} of the energy outside the band");
        // The two bands split the spectrum: high-pass and low-pass masks are complements.
        using var both = new FourierNoise(0.5, true).Mask(16, 16) + new FourierNoise(0.5, false).Mask(16, 16);
        Assert.True(both.eq(1).all().item<bool>());
    }

    [Fact]
    public void HighFrequenciesAreTheFastOscillations()
    {
        // A checkerboard (the Nyquist corner) is all high-pass; a constant image is all low-pass.
        using var high = new FourierNoise(0.5, true).Mask(8, 8);
        Assert.Equal(1f, high[4, 4].item<float>());
        Assert.Equal(0f, high[0, 0].item<float>());
        Assert.Equal(0f, high[1, 0].item<float>()); // 1/8 cycle per pixel = 0.25 Nyquist
    }

    [Fact]
    public void NoisyImagesStayInTheBoxAndAreSeeded()
    {
        var images = rand(3, 1, 12, 12, generator: new Generator(1));
        using var a = new FourierNoise().Apply(images, 3, new Generator(5));
        using var b = new FourierNoise().Apply(images, 3, new Generator(5));
        Assert.True(a.eq(b).all().item<bool>());
        Assert.True(a.min().item<float>() >= 0 && a.max().item<float>() <= 1);
        using var none = new FourierNoise().Apply(images, 0, new Generator(5));
        Assert.True(none.allclose(images));
    }
}
