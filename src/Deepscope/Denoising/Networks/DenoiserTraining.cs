using Deepscope.Catalogs;
using Deepscope.Data.Sources;
using Deepscope.Training;
using Deepscope.Training.Steps;
using static TorchSharp.torch;

namespace Deepscope.Denoising.Networks;

/// <summary>The deep denoisers' training methods, by the names the catalog and the CLI give.</summary>
public static class DenoiserMethods
{
    public const string DnCnn = "dncnn", Pix2Pix = "pix2pix", Noise2Noise = "noise2noise", Noise2Void = "noise2void";
    public static readonly string[] All = [DnCnn, Pix2Pix, Noise2Noise, Noise2Void];
}

/// <summary>
/// How a deep denoiser is trained. DnCNN, Noise2Noise and Noise2Void train the same DnCNN (Adam, MSE; the paper's
/// 40x40 patches), differing only in their target: the clean patch, an independent noisy copy, or the blind-spot
/// pixels of the input itself. pix2pix trains a U-Net generator against a PatchGAN (BCE + 100 L1, Adam 2e-4,
/// beta1 0.5) with the trainer's GAN step.
/// </summary>
public sealed record DenoiserTrainingOptions
{
    [Param(Description = "dncnn (clean targets), noise2noise (noisy pairs), noise2void (noisy images alone), pix2pix (GAN)")]
    public string Method { get; init; } = DenoiserMethods.DnCnn;
    [Param(Min = 0, Description = "training SNRs: Gaussian noise of variance (image variance / snr) per clean patch, the SNR drawn from these (several: a blind model)")]
    public double[] Snr { get; init; } = [0.1];
    [Param(Min = 8, Description = "side of the square training patches (DnCNN: 40; pix2pix: a multiple of 2^levels)")]
    public int Patch { get; init; } = 40;
    [Param(Min = 1, Description = "patches per epoch")]
    public int PatchesPerEpoch { get; init; } = 1024;
    [Param(Min = 1, Description = "epochs")]
    public int Epochs { get; init; } = 10;
    [Param(Min = 1, Description = "patches per batch (DnCNN: 128)")]
    public int BatchSize { get; init; } = 16;
    [Param(Min = 0, Description = "Adam learning rate; absent: the method's published one (DnCNN 1e-3, pix2pix 2e-4)")]
    public double? LearningRate { get; init; }
    [Param(Min = 0, Max = 1, Description = "cosine decay of the learning rate over the run down to this fraction of it (1: constant)")]
    public double LearningRateFloor { get; init; } = 1;
    [Param(Min = 2, Description = "DnCNN convolution layers (17 in the paper)")]
    public int Depth { get; init; } = 17;
    [Param(Min = 1, Description = "channels of the hidden layers (64)")]
    public int Width { get; init; } = 64;
    [Param(Min = 1, Max = 8, Description = "pix2pix U-Net levels (stride-2 steps)")]
    public int Levels { get; init; } = 4;
    [Param(Min = 0, Description = "pix2pix weight of the L1 term (100)")]
    public double L1Weight { get; init; } = 100;
    [Param(Min = 0, Max = 0.5, Description = "Noise2Void: fraction of each patch's pixels that are blind spots")]
    public double BlindSpotFraction { get; init; } = BlindSpots.DefaultFraction;

    /// <summary>The rate Adam starts at: the one given, else the method's paper's.</summary>
    public double AdamLearningRate => LearningRate ?? (Method == DenoiserMethods.Pix2Pix ? 2e-4 : 1e-3);

    public void Validate()
    {
        if (!DenoiserMethods.All.Contains(Method)) throw new DeepscopeException($"unknown denoiser training method '{Method}' (known: {string.Join(", ", DenoiserMethods.All)})");
        if (Method == DenoiserMethods.Pix2Pix && (Patch % (1 << Levels) != 0 || Patch < 32))
            throw new DeepscopeException($"pix2pix patches must be at least 32 (the PatchGAN's input) and a multiple of 2^levels = {1 << Levels}, got {Patch}");
    }
}

/// <summary>Trains a deep denoiser into a run folder (trainer checkpoints, history, <c>model.bin</c>, <c>denoiser.json</c>); resumes a killed run.</summary>
public static class DenoiserTraining
{
    public static DenoiserNetwork Train(DenoiserTrainingOptions options, PatchExamples examples, string folder, long seed, IProgressReporter? progress = null)
    {
        options.Validate();
        // Before the run folder exists: a method the examples cannot serve leaves nothing behind.
        var source = examples.Source(options.Method, options.PatchesPerEpoch, (ulong)seed, options.BlindSpotFraction);
        Directory.CreateDirectory(folder);
        random.manual_seed(seed);
        bool gan = options.Method == DenoiserMethods.Pix2Pix;
        var spec = new DenoiserNetwork(options.Method, gan ? DenoiserNetwork.UNetArchitecture : DenoiserNetwork.DnCnnArchitecture,
            options.Depth, options.Width, options.Levels, NetworkScaling.Standardise);
        using var network = spec.Build();
        using var discriminator = gan ? new PatchDiscriminator(width: options.Width) : null;
        var adam = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = options.AdamLearningRate, Beta1 = gan ? 0.5 : 0.9 };
        var schedule = new LearningRateSchedule { Kind = ScheduleKind.Cosine, MinFactor = options.LearningRateFloor };
        var models = gan
            ? new ModelSet(TrainedModel.Whole(ModelNames.Generator, network, adam, schedule), TrainedModel.Whole(ModelNames.Discriminator, discriminator!, adam, schedule))
            : new ModelSet(TrainedModel.Whole(ModelNames.Model, network, adam, schedule));
        ITrainingStep step = options.Method switch
        {
            DenoiserMethods.Pix2Pix => new GanStep(L1Weight: options.L1Weight),
            DenoiserMethods.Noise2Void => new SupervisedStep(BlindSpots.Loss, Fields.Target),
            _ => new SupervisedStep(Losses.MeanSquaredError, Fields.Target),
        };
        var trainer = new Trainer(new TrainingOptions { Epochs = options.Epochs, BatchSize = options.BatchSize, Seed = seed, DropLast = true })
        {
            Step = step,
            Metrics = [],
            OutputDirectory = folder,
            Resume = File.Exists(Path.Combine(folder, Trainer.CheckpointFile)),
            Progress = progress ?? NoProgress.Instance,
        };
        var result = trainer.Fit(models, source);
        RunRecord.SaveModel(folder, network);
        var trained = spec with { TrainingSeconds = result.TrainingSeconds };
        trained.Write(folder);
        return trained;
    }
}
