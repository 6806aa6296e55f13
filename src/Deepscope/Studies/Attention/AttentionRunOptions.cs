using Deepscope.Data;
using Deepscope.Catalogs;
using Deepscope.Models.Attention;

namespace Deepscope.Studies.Attention;

/// <summary>The models of the attention study: RAM with its learned policy, RAM glimpsing at random, and the paper's whole-image baselines.</summary>
public enum AttentionModel { Ram, RamRandom, Fc, Conv }

/// <summary>
/// One training run of the attention study: the task, the model and how it is trained. Defaults: the paper's MNIST
/// model (RAM, 6 glimpses of 8x8) trained with Adam, batch 128, the learning rate annealed by a cosine to 1%.
/// </summary>
public sealed record AttentionRunOptions
{
    public DigitTaskOptions Task { get; init; } = new();
    [Param(Description = "ram, ram-random (random glimpse locations), fc or conv (whole-image baselines)")] public AttentionModel Model { get; init; } = AttentionModel.Ram;
    public RamOptions Ram { get; init; } = new();
    [Param(Min = 1, Description = "hidden units per layer of the fully connected baseline")] public int FcHidden { get; init; } = 256;
    [Param(Min = 1, Description = "training epochs")] public int Epochs { get; init; } = 20;
    [Param(Min = 1, Description = "examples per batch")] public int BatchSize { get; init; } = 128;
    [Param(Min = 0, Description = "Adam's learning rate")] public double LearningRate { get; init; } = 1e-3;
    [Param(Min = 0, Description = "gradient norm clip (0 = none)")] public double GradientClip { get; init; }
    [Param(Min = 1, Description = "Monte-Carlo samples of the policy averaged in the sampled evaluation")] public int MonteCarloSamples { get; init; } = 10;

    /// <summary>The RAM options this run's model uses (the random control swaps in the random policy).</summary>
    public RamOptions EffectiveRam => Model == AttentionModel.RamRandom ? Ram with { Policy = GlimpsePolicy.Random } : Ram;

    public bool IsAttention => Model is AttentionModel.Ram or AttentionModel.RamRandom;

    public string Describe() => Model switch
    {
        AttentionModel.Ram or AttentionModel.RamRandom =>
            $"RAM{(Model == AttentionModel.RamRandom ? " (random glimpses)" : "")}, {Ram.Glimpses} glimpses of {Ram.Patch}x{Ram.Patch}, {Ram.Scales} scale{(Ram.Scales > 1 ? "s" : "")}",
        AttentionModel.Fc => $"FC, 2 layers of {FcHidden}",
        _ => "convolutional, 2 layers",
    };
}
