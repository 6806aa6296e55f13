using Deepscope.Denoising;
using Deepscope.Denoising.Networks;
using Deepscope.Studies.ClassicalDenoising;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Denoising;

/// <summary>
/// The published DnCNN-S models (cszn/DnCNN, MatConvNet .mat) loaded and run as the MATLAB demo does: images in
/// [0, 1], Gaussian noise not clipped, output rounded to 8 bits, PSNR on uint8. Our noise comes from our own seeded
/// stream (MATLAB's legacy randn('seed', 0) cannot be reproduced), so per-image PSNRs differ by a few hundredths.
/// </summary>
public class DnCnnOfficialTests
{
    static string Model(string data, int sigma) => Path.Combine(data, "denoising", "dncnn-matlab", $"sigma={sigma}.mat");

    static double Psnr(IDenoiser denoiser, string image, double sigma, int index)
    {
        var clean = ClassicalDenoisingStudy.ReadGrey(image);
        var noisy = ClassicalDenoisingStudy.WithGaussianNoise(clean, sigma, 0, index);
        return ImageQuality.Psnr(clean, ImageQuality.Quantised(denoiser.Denoise(noisy, sigma)), 255);
    }

    [Fact]
    public void The_sigma_25_model_is_a_17_layer_DnCNN_with_the_published_weights()
    {
        var data = SharedData.Require("denoising/dncnn-matlab/sigma=25.mat");
        using var model = DnCnnMatFile.Load(Model(data, 25));
        var convolutions = model.Convolutions.Cast<TorchSharp.Modules.Conv2d>().ToList();
        Assert.Equal(17, convolutions.Count);
        Assert.Equal([64L, 1, 3, 3], convolutions[0].weight!.shape);
        Assert.Equal([64L, 64, 3, 3], convolutions[8].weight!.shape);
        Assert.Equal([1L, 64, 3, 3], convolutions[16].weight!.shape);
        // SOURCE.md: the last bias of sigma=25 is 9.4e-05.
        Assert.Equal(9.4e-5, convolutions[16].bias!.item<float>(), 1e-6);
        Assert.Equal(35, model.ReceptiveField);
    }

    [Fact]
    public void Cameraman_at_sigma_25_scores_as_the_paper()
    {
        var data = SharedData.Require("denoising/Set12/01.png");
        using var denoiser = NetworkDenoiser.Load(new NetworkDenoiserOptions { Model = Model(data, 25) });
        double psnr = Psnr(denoiser, Path.Combine(data, "denoising", "Set12", "01.png"), 25, 0);
        // Zhang et al. 2017, Table III: DnCNN-S on C.man at sigma 25 = 30.18 dB (another noise draw: +-0.1 dB).
        Assert.InRange(psnr, 30.08, 30.28);
    }

    [Theory]
    [Trait(Category.Name, Category.Long)]
    [InlineData(15, 31.73)]
    [InlineData(25, 29.23)]
    [InlineData(50, 26.23)]
    public void BSD68_mean_PSNR_matches_the_published_DnCNN_S(int sigma, double published)
    {
        var data = SharedData.Require("denoising/BSD68");
        using var denoiser = NetworkDenoiser.Load(new NetworkDenoiserOptions { Model = Model(data, sigma), Batch = 1 });
        var images = Directory.GetFiles(Path.Combine(data, "denoising", "BSD68"), "*.png").Order(StringComparer.Ordinal).ToList();
        double mean = images.Select((image, i) => Psnr(denoiser, image, sigma, i)).Average();
        TestContext.Current.TestOutputHelper?.WriteLine($"BSD68 sigma {sigma}: {mean:F3} dB (published {published})");
        Assert.InRange(mean, published - 0.03, published + 0.03);
    }
}
