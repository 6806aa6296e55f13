using Deepscope.Catalogs;

namespace Deepscope.Studies.ClassicalDenoising;

/// <summary>
/// The classical-denoising study's options: grey test sets (folders of 8-bit images), noise levels in 0..255 units,
/// the denoisers by catalog name. The protocol is DnCNN's: Gaussian noise added on the 0..255 scale without clipping or
/// quantisation, the output rounded and saturated to 8 bits, PSNR and SSIM on those 8-bit values.
/// </summary>
public sealed record ClassicalDenoisingOptions
{
    [Param(Description = "folders of 8-bit grey test images (relative to the experiment file); one table per folder")]
    public string[] Sets { get; init; } = ["../../shared/data/denoising/Set12", "../../shared/data/denoising/BSD68"];

    [Param(Min = 0, Description = "noise standard deviations on the 0..255 scale")]
    public double[] Sigmas { get; init; } = [25];

    [Param(Description = "denoisers from the catalog ('deepscope list denoisers'), default parameters")]
    public string[] Methods { get; init; } = ["bm3d"];

    [Param(Min = 0, Description = "first N images of each set (0 = all)")]
    public int Images { get; init; }

    [Param(Description = "folder of the published DnCNN-S models (sigma=N.mat, relative to the experiment file): method 'dncnn' takes the one of each sigma")]
    public string DncnnModels { get; init; } = "../../shared/data/denoising/dncnn-matlab";

    [Param(Description = "give the denoisers the true sigma (else methods that need it estimate it)")]
    public bool KnownSigma { get; init; } = true;
}
