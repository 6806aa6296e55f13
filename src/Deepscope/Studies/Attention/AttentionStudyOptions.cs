using Deepscope.Data;
using Deepscope.Catalogs;
using Deepscope.Models.Attention;

namespace Deepscope.Studies.Attention;

/// <summary>
/// The attention study's settings: one digit task, the RAM configuration, and the models trained on it (each one
/// grid cell and one stage), all with the same training budget.
/// </summary>
public sealed record AttentionStudyOptions
{
    public DigitTaskOptions Task { get; init; } = new();
    public RamOptions Ram { get; init; } = new();
    [Param(Description = "models trained on the task: ram, ram-random, fc, conv")] public AttentionModel[] Models { get; init; } = [AttentionModel.Ram, AttentionModel.RamRandom, AttentionModel.Conv];
    [Param(Min = 1, Description = "hidden units per layer of the fully connected baseline")] public int FcHidden { get; init; } = 256;
    [Param(Min = 1, Description = "training epochs of every model")] public int Epochs { get; init; } = 20;
    [Param(Min = 1, Description = "examples per batch")] public int BatchSize { get; init; } = 128;
    [Param(Min = 0, Description = "Adam's learning rate")] public double LearningRate { get; init; } = 1e-3;
    [Param(Min = 1, Description = "Monte-Carlo glimpse paths averaged in the sampled evaluation")] public int MonteCarloSamples { get; init; } = 10;
    [Param(Min = 0, Max = 64, Description = "test digits drawn with their glimpses in the report")] public int GlimpseFigures { get; init; } = 8;

    public AttentionRunOptions Run(AttentionModel model) => new()
    {
        Task = Task, Model = model, Ram = Ram, FcHidden = FcHidden, Epochs = Epochs, BatchSize = BatchSize,
        LearningRate = LearningRate, MonteCarloSamples = MonteCarloSamples,
    };
}
