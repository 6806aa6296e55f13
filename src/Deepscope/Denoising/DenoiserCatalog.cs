using Deepscope.Catalogs;

namespace Deepscope.Denoising;

/// <summary>The denoisers by the name <c>deepscope denoise --method</c> and experiment files give; one line each.</summary>
public static class DenoiserCatalog
{
    public static Catalog<IDenoiser> Catalog { get; } = new Catalog<IDenoiser>("denoiser")
        .Add("gaussian", "Gaussian smoothing (scipy.ndimage.gaussian_filter)", () => new GaussianFilterOptions(), o => new GaussianFilter(o))
        .Add("median", "median filter over a square window (scipy.ndimage.median_filter)", () => new MedianFilterOptions(), o => new MedianFilter(o))
        .Add("wiener", "adaptive Wiener filter (scipy.signal.wiener)", () => new WienerFilterOptions(), o => new WienerFilter(o))
        .Add("bm3d", "BM3D, both stages, Dabov et al.'s normal profile (IEEE TIP 2007)", () => new Bm3dOptions(), o => new Bm3d(o))
        .Add("ksvd", "K-SVD: dictionary learnt on the image's patches, OMP codes (Elad and Aharon, IEEE TIP 2006)", () => new KsvdOptions(), o => new Ksvd(o));
}
