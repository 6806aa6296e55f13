using Deepscope.Catalogs;
using Deepscope.Denoising.Networks;

namespace Deepscope.Studies.DeepDenoising;

/// <summary>
/// The deep-denoising study's options: simulated particles (projections of 3D maps at random orientations), the SNRs
/// they are scored at, the classical and deep methods, the deep methods' training budget (one blind model per method,
/// trained on all the SNRs), and the real particles the self-supervised methods denoise.
/// </summary>
public sealed record DeepDenoisingOptions
{
    // The training budget's defaults are denoise-train's.
    static readonly DenoiserTrainingOptions Training = new();

    [Param(Description = "3D maps (.mrc/.map, relative to the experiment file) projected into particles")]
    public string[] Maps { get; init; } = ["../../shared/data/cryoem/mrcfile-testdata/EMD-3001.map"];
    [Param(Min = 16, Description = "side of the square particle images")]
    public int Size { get; init; } = 128;
    [Param(Min = 1, Description = "training particles per map")]
    public int TrainParticles { get; init; } = 200;
    [Param(Min = 1, Description = "test particles per map (scored at every SNR)")]
    public int TestParticles { get; init; } = 6;
    [Param(Min = 0, Description = "index of the first test particle in each map's simulated stack (at most train_particles; the others train), so more training particles keep the same test set")]
    public int TestStart { get; init; } = 200;
    [Param(Min = 0, Description = "SNRs (signal variance / noise variance over the whole image)")]
    public double[] Snrs { get; init; } = [1, 0.5, 0.1, 0.05, 0.01];
    [Param(Description = "classical denoisers from the catalog (noise sigma given: the true one)")]
    public string[] Classical { get; init; } = ["bm3d", "gaussian", "wiener", "median"];
    [Param(Description = "deep methods trained here: dncnn, noise2noise, noise2void, pix2pix")]
    public string[] Deep { get; init; } = ["dncnn", "noise2noise", "noise2void", "pix2pix"];

    [Param(Min = 2, Description = "DnCNN layers of the trained models (17 in the paper)")]
    public int Depth { get; init; } = Training.Depth;
    [Param(Min = 1, Description = "channels of the hidden layers")]
    public int Width { get; init; } = Training.Width;
    [Param(Min = 8, Description = "training patch side (DnCNN, Noise2Noise, Noise2Void)")]
    public int Patch { get; init; } = Training.Patch;
    [Param(Min = 32, Description = "pix2pix training patch side (a multiple of 2^levels)")]
    public int GanPatch { get; init; } = 64;
    [Param(Min = 1, Max = 8, Description = "pix2pix U-Net levels")]
    public int Levels { get; init; } = Training.Levels;
    [Param(Min = 1, Description = "patches per epoch")]
    public int PatchesPerEpoch { get; init; } = Training.PatchesPerEpoch;
    [Param(Min = 1, Description = "epochs of each deep method")]
    public int Epochs { get; init; } = Training.Epochs;
    [Param(Min = 1, Description = "patches per batch")]
    public int BatchSize { get; init; } = Training.BatchSize;
    [Param(Min = 0, Max = 1, Description = "cosine decay of the learning rate over each deep training run down to this fraction of it (1: constant)")]
    public double LearningRateFloor { get; init; } = Training.LearningRateFloor;

    [Param(Description = "real noisy particles (.mrcs/.mrc) for the self-supervised methods; empty: none")]
    public string Real { get; init; } = "../../shared/data/cryoem/cryodrgn-testdata/empiar_10076_7.mrc";
    [Param(Description = "self-supervised methods trained on the real particles (two models, on two half-sets)")]
    public string[] RealMethods { get; init; } = ["noise2void"];
    [Param(Min = 1, Description = "epochs of the real-particle models")]
    public int RealEpochs { get; init; } = Training.Epochs;
}
