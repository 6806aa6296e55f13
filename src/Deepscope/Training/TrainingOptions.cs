using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Deepscope.Training;

public enum OptimizerKind { Sgd, Adam, AdamW }

/// <summary>Optimizer hyper-parameters with PyTorch's defaults (SGD without momentum, Adam betas 0.9/0.999, eps 1e-8).</summary>
public sealed record OptimizerOptions
{
    public OptimizerKind Kind { get; init; } = OptimizerKind.Sgd;
    public double LearningRate { get; init; } = 0.1;
    public double Momentum { get; init; }
    public bool Nesterov { get; init; }
    /// <summary>L2 penalty for SGD and Adam; decoupled decay for AdamW (PyTorch's AdamW default is 0.01).</summary>
    public double WeightDecay { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;

    public void Validate()
    {
        if (!(LearningRate > 0)) throw new DeepscopeException($"learning rate must be positive, got {LearningRate}");
        if (Momentum is < 0 or >= 1) throw new DeepscopeException($"momentum must be in [0, 1), got {Momentum}");
        if (Nesterov && (Kind != OptimizerKind.Sgd || Momentum == 0)) throw new DeepscopeException("Nesterov needs --optimizer sgd with a positive --momentum");
        if (WeightDecay < 0) throw new DeepscopeException($"weight decay must be >= 0, got {WeightDecay}");
        if (Beta1 is < 0 or >= 1 || Beta2 is < 0 or >= 1) throw new DeepscopeException($"Adam betas must be in [0, 1), got {Beta1}, {Beta2}");
    }

    /// <summary>Builds the optimizer over parameter groups, each with its own learning-rate multiplier.</summary>
    public optim.Optimizer Create(IReadOnlyList<ParameterGroup> groups) => Kind switch
    {
        OptimizerKind.Sgd => optim.SGD(groups.Select(g => new SGD.ParamGroup(g.Parameters,
            new SGD.Options { LearningRate = LearningRate * g.LearningRateFactor, InitialLearningRate = LearningRate * g.LearningRateFactor, momentum = Momentum, dampening = 0, weight_decay = WeightDecay, nesterov = Nesterov, maximize = false })),
            LearningRate, Momentum, 0, WeightDecay, Nesterov),
        OptimizerKind.Adam => optim.Adam(groups.Select(g => new Adam.ParamGroup(g.Parameters,
            new Adam.Options { LearningRate = LearningRate * g.LearningRateFactor, InitialLearningRate = LearningRate * g.LearningRateFactor, beta1 = Beta1, beta2 = Beta2, eps = Epsilon, weight_decay = WeightDecay, amsgrad = false, maximize = false })),
            LearningRate, Beta1, Beta2, Epsilon, WeightDecay),
        OptimizerKind.AdamW => optim.AdamW(groups.Select(g => new AdamW.ParamGroup(g.Parameters,
            new AdamW.Options { LearningRate = LearningRate * g.LearningRateFactor, InitialLearningRate = LearningRate * g.LearningRateFactor, beta1 = Beta1, beta2 = Beta2, eps = Epsilon, weight_decay = WeightDecay, amsgrad = false, maximize = false })),
            LearningRate, Beta1, Beta2, Epsilon, WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };
}

/// <summary>Parameters trained together with a multiplier on the base learning rate (e.g. 0.1 for a pretrained body).</summary>
public sealed record ParameterGroup(string Name, IReadOnlyList<Parameter> Parameters, double LearningRateFactor = 1);

/// <summary>Stop when the monitored evaluation metric has not improved by <see cref="MinDelta"/> for <see cref="Patience"/> epochs.</summary>
public sealed record EarlyStopping(int Patience, double MinDelta = 0, EarlyStoppingMetric Metric = EarlyStoppingMetric.Accuracy);

public enum EarlyStoppingMetric { Accuracy, Loss }

/// <summary>Everything that defines a training run; recorded in the run directory.</summary>
/// <summary>Arithmetic of the forward pass.</summary>
public enum TrainingPrecision
{
    Fp32,
    /// <summary>
    /// Mixed precision: bf16 autocast around forward and loss (convolutions, linear layers and matrix products in bf16,
    /// the rest float32), float32 weights, gradients and optimizer. Pays off on CPUs with AMX (and on GPUs); measured
    /// here (AVX-512 with avx512_bf16, no AMX) ResNet-18 steps were about 10% slower than float32.
    /// </summary>
    Bf16,
}

public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 128;
    /// <summary>Evaluation batch size (no gradients, so larger is fine).</summary>
    public int EvalBatchSize { get; init; } = 512;
    public OptimizerOptions Optimizer { get; init; } = new();
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;
    /// <summary>Clip the global gradient L2 norm to this value (0: off).</summary>
    public double GradientClipNorm { get; init; }
    public Augmentation Augmentation { get; init; } = Augmentation.None;
    public long Seed { get; init; } = 0;
    public EarlyStopping? EarlyStopping { get; init; }
    /// <summary>Drop the last incomplete training batch (keeps batch-norm statistics sane for tiny remainders).</summary>
    public bool DropLast { get; init; }
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Fp32;

    public void Validate()
    {
        if (Epochs < 1) throw new DeepscopeException($"epochs must be at least 1, got {Epochs}");
        if (BatchSize < 1 || EvalBatchSize < 1) throw new DeepscopeException($"batch sizes must be at least 1, got {BatchSize} and {EvalBatchSize}");
        if (GradientClipNorm < 0) throw new DeepscopeException($"gradient clip norm must be >= 0, got {GradientClipNorm}");
        if (EarlyStopping is { Patience: < 1 }) throw new DeepscopeException($"early-stopping patience must be at least 1 epoch, got {EarlyStopping.Patience}");
        Optimizer.Validate();
        Schedule.Validate();
        Augmentation.Validate();
    }
}
