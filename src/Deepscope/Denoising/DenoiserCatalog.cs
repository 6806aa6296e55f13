using Deepscope.Catalogs;
using Deepscope.Denoising.Networks;

namespace Deepscope.Denoising;

/// <summary>The denoisers by the name <c>deepscope denoise --method</c> and experiment files give; one line each.</summary>
public static class DenoiserCatalog
{
    public static Catalog<IDenoiser> Catalog { get; } = new Catalog<IDenoiser>("denoiser")
        .Add("gaussian", "Gaussian smoothing (scipy.ndimage.gaussian_filter)", () => new GaussianFilterOptions(), o => new GaussianFilter(o))
        .Add("median", "median filter over a square window (scipy.ndimage.median_filter)", () => new MedianFilterOptions(), o => new MedianFilter(o))
        .Add("wiener", "adaptive Wiener filter (scipy.signal.wiener)", () => new WienerFilterOptions(), o => new WienerFilter(o))
        .Add("bm3d", "BM3D, both stages, Dabov et al.'s normal profile (IEEE TIP 2007)", () => new Bm3dOptions(), o => new Bm3d(o))
        .Add("ksvd", "K-SVD: dictionary learnt on the image's patches, OMP codes (Elad and Aharon, IEEE TIP 2006)", () => new KsvdOptions(), o => new Ksvd(o))
        .Add("dncnn", "DnCNN (Zhang et al., IEEE TIP 2017): a published MatConvNet model (--model sigma=25.mat) or one trained by 'deepscope denoise-train'",
            () => new NetworkDenoiserOptions(), o => NetworkDenoiser.Load(o, DenoiserMethods.DnCnn))
        .Add("pix2pix", "pix2pix GAN denoiser (U-Net with additive skips, PatchGAN), a run of 'deepscope denoise-train'", () => new NetworkDenoiserOptions(),
            o => NetworkDenoiser.Load(o, DenoiserMethods.Pix2Pix))
        .Add("noise2noise", "Noise2Noise (Lehtinen et al. 2018): DnCNN trained on pairs of noisy images, a run of 'deepscope denoise-train'",
            () => new NetworkDenoiserOptions(), o => NetworkDenoiser.Load(o, DenoiserMethods.Noise2Noise))
        .Add("noise2void", "Noise2Void (Krull et al. 2019): DnCNN trained blind-spot on noisy images alone, a run of 'deepscope denoise-train'",
            () => new NetworkDenoiserOptions(), o => NetworkDenoiser.Load(o, DenoiserMethods.Noise2Void));
}
