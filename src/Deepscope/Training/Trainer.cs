using Deepscope.Data.Sources;
using Deepscope.Runtime;
using Deepscope.Training.Metrics;

namespace Deepscope.Training;

/// <summary>The outcome of <see cref="Trainer.Fit(ModelSet, IDataSource, IDataSource?, InputTransform?)"/>.</summary>
public sealed record TrainingResult(IReadOnlyList<EpochRecord> History, bool StoppedEarly, int BestEpoch, double? BestMetric,
    double TrainingSeconds, int ResumedAfterEpoch);

/// <summary>
/// Trains a set of models epoch by epoch with a replaceable <see cref="Step"/> (classification by default; regression,
/// segmentation, REINFORCE, adversarial and GAN steps ship with it): seeded shuffling, batched augmentation, a scheduled
/// learning rate per model, evaluation with pluggable <see cref="Metrics"/> after each epoch and early stopping. With an
/// <see cref="OutputDirectory"/> it checkpoints after every epoch (and every <see cref="CheckpointEverySteps"/> steps)
/// and logs history (CSV/JSON), TensorBoard scalars and a PNG of the curves; <see cref="Resume"/> continues from the last
/// checkpoint and reaches the same weights as an uninterrupted run (same options, seed and thread count).
/// </summary>
public sealed class Trainer(TrainingOptions options)
{
    public const string CheckpointFile = "checkpoint.bin";
    public const string BestWeightsFile = "best.bin";

    public TrainingOptions Options { get; } = options;
    public ITrainingStep Step { get; init; } = SupervisedStep.Instance;
    /// <summary>The loss of steps and metrics that take the run's loss (the supervised step's default, the default eval loss).</summary>
    public LossFunction Loss { get; init; } = Losses.CrossEntropy;
    /// <summary>Evaluation metrics; by default the mean <see cref="Loss"/> against <c>label</c> and accuracy.</summary>
    public IReadOnlyList<IMetric>? Metrics { get; init; }
    /// <summary>
    /// The evaluation metric (by <see cref="IMetric.Name"/>) that picks the best epoch and drives early stopping; by
    /// default the early-stopping metric (accuracy or loss) when evaluated, else the first metric.
    /// </summary>
    public string? Monitor { get; init; }
    public IProgressReporter Progress { get; init; } = NoProgress.Instance;
    public string? OutputDirectory { get; init; }
    public bool Resume { get; init; }
    /// <summary>Also checkpoint every this many optimizer steps (0: at epoch ends only), so a long epoch killed midway resumes midway.</summary>
    public int CheckpointEverySteps { get; init; }
    /// <summary>Stop after the first epoch for which this returns true (a target reached: zero training error).</summary>
    public Func<EpochRecord, bool>? StopWhen { get; init; }
    /// <summary>Called after each epoch (after the checkpoint is written).</summary>
    public Action<EpochRecord>? EpochCompleted { get; init; }

    /// <summary>Trains a classifier on labelled examples with the run's optimizer and schedule.</summary>
    public TrainingResult Fit(TrainingTarget target, Examples train, Examples? eval = null, InputTransform? transform = null)
    {
        Options.Validate();
        train.Validate("training");
        eval?.Validate("evaluation");
        if (target.Groups.Sum(g => g.Parameters.Count) == 0) throw new DeepscopeException("nothing to train: no trainable parameters");
        return Fit(ModelSet.Classifier(target, Options), train.ToSource(), eval?.ToSource(), transform);
    }

    /// <summary>
    /// Trains the models on batches of <paramref name="train"/>, evaluating on <paramref name="eval"/> after each epoch.
    /// <paramref name="transform"/> prepares image inputs (uint8 to normalised float); without it inputs keep their dtype.
    /// </summary>
    public TrainingResult Fit(ModelSet models, IDataSource train, IDataSource? eval = null, InputTransform? transform = null)
    {
        Options.Validate();
        if (train.Count == 0) throw new DeepscopeException("training set is empty");
        if (eval is { Count: 0 }) throw new DeepscopeException("evaluation set is empty");
        if (Options.EarlyStopping is not null && eval is null) throw new DeepscopeException("early stopping needs an evaluation set");
        bool images = train.Fields.FirstOrDefault(f => f.Name == Fields.Input) is { Shape.Length: 3 };
        if (!Options.Augmentation.IsNone && (transform is null || !images))
            throw new DeepscopeException("augmentation needs image inputs (N, C, H, W) and an input transform");
        if (Resume && OutputDirectory is null) throw new DeepscopeException("resuming needs an output directory holding the checkpoint");
        if (CheckpointEverySteps < 0) throw new DeepscopeException($"checkpoint interval must be >= 0 steps, got {CheckpointEverySteps}");
        foreach (var m in models.Models)
        {
            m.Optimizer.Validate();
            m.Schedule.Validate();
        }
        using var run = new TrainingRun(this, models, train, eval, transform);
        return run.Execute();
    }

    /// <summary>The metric the run monitors among <paramref name="metrics"/>, or null when it evaluates none.</summary>
    internal IMetric? Monitored(IReadOnlyList<IMetric> metrics)
    {
        if (Monitor is not null)
            return metrics.FirstOrDefault(m => m.Name == Monitor)
                ?? throw new DeepscopeException($"cannot monitor '{Monitor}': the evaluation metrics are {string.Join(", ", metrics.Select(m => m.Name))}");
        var preferred = Options.EarlyStopping?.Metric == EarlyStoppingMetric.Loss ? "loss" : "accuracy";
        return metrics.FirstOrDefault(m => m.Name == preferred) ?? metrics.FirstOrDefault();
    }
}
