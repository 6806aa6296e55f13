using Deepscope.Catalogs;

namespace Deepscope.Denoising;

/// <summary>
/// BM3D's parameters, defaults Dabov et al.'s "normal profile" (BM3D.m v1.9, the one behind the published tables):
/// hard thresholding over 8x8 bior1.5 blocks, Wiener filtering over 8x8 DCT blocks, Haar along each group. Distances
/// are in the units of 0..255 images (a block distance is ||T(a) - T(b)||^2 / N1^2); above sigma 40 the code switches to
/// the published strong-noise parameters (Hou et al.'s 'vn' profile) exactly as BM3D.m does.
/// </summary>
public sealed record Bm3dOptions
{
    [Param(Min = 1e-9, Description = "the data's signal range, so the published 0..255 thresholds apply (255 for 8-bit images)")]
    public double DataRange { get; init; } = 255;

    [Param("n1", Min = 2, Max = 64, Description = "hard-thresholding block side (a power of 2: bior1.5)")]
    public int HardBlock { get; init; } = 8;
    [Param("n_step", Min = 1, Description = "step between reference blocks, hard thresholding")]
    public int HardStep { get; init; } = 3;
    [Param("n2", Min = 1, Max = 256, Description = "most blocks in a group, hard thresholding")]
    public int HardGroup { get; init; } = 16;
    [Param("ns", Min = 1, Description = "side of the search window (odd), hard thresholding")]
    public int HardWindow { get; init; } = 39;
    [Param("tau_match", Min = 0, Description = "largest block distance in a group (0..255 units), hard thresholding")]
    public double HardDistance { get; init; } = 3000;
    [Param("lambda_thr3d", Min = 0, Description = "hard threshold in units of sigma")]
    public double HardThreshold { get; init; } = 2.7;
    [Param("beta", Min = 0, Description = "Kaiser window shape, hard thresholding")]
    public double HardBeta { get; init; } = 2.0;
    [Param("thr_to_inc_step", Min = 0, Description = "below this many retained coefficients the next reference block is n1 - 1 away")]
    public int StepIncreaseBelow { get; init; } = 8;

    [Param("n1_wiener", Min = 1, Max = 64, Description = "Wiener block side (DCT)")]
    public int WienerBlock { get; init; } = 8;
    [Param("n_step_wiener", Min = 1, Description = "step between reference blocks, Wiener")]
    public int WienerStep { get; init; } = 3;
    [Param("n2_wiener", Min = 1, Max = 256, Description = "most blocks in a group, Wiener")]
    public int WienerGroup { get; init; } = 32;
    [Param("ns_wiener", Min = 1, Description = "side of the search window (odd), Wiener")]
    public int WienerWindow { get; init; } = 39;
    [Param("tau_match_wiener", Min = 0, Description = "largest block distance in a group (0..255 units), Wiener")]
    public double WienerDistance { get; init; } = 400;
    [Param("beta_wiener", Min = 0, Description = "Kaiser window shape, Wiener")]
    public double WienerBeta { get; init; } = 2.0;

    [Param(Description = "use the strong-noise parameters above sigma 40 (0..255 units), as BM3D.m")]
    public bool StrongNoiseProfile { get; init; } = true;

    /// <summary>The parameters BM3D.m uses at noise level <paramref name="sigma255"/> (0..255 units).</summary>
    public Bm3dOptions ForSigma(double sigma255) => !StrongNoiseProfile || sigma255 <= 40 ? this : this with
    {
        HardGroup = 32, HardStep = 4, WienerBlock = 11, WienerStep = 6, HardThreshold = 2.8, StepIncreaseBelow = 3,
        WienerDistance = 3500, HardDistance = 25000, WienerWindow = 39,
    };
}
