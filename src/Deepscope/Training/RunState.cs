using System.Text.Json.Serialization;

namespace Deepscope.Training;

/// <summary>
/// One epoch of a run's history: named metrics (<c>train_loss</c>, <c>train_accuracy</c>, <c>eval_psnr</c>, ...), the
/// learning rate of the first model's first parameter group at the epoch's last step, time and throughput.
/// </summary>
public sealed record EpochRecord(int Epoch, IReadOnlyDictionary<string, double> Metrics, double LearningRate, double Seconds, double ImagesPerSecond)
{
    [JsonIgnore] public double TrainLoss => Metrics[TrainPrefix + "loss"];
    [JsonIgnore] public double? TrainAccuracy => Metric(TrainPrefix + "accuracy");
    [JsonIgnore] public double? EvalLoss => Metric(EvalPrefix + "loss");
    [JsonIgnore] public double? EvalAccuracy => Metric(EvalPrefix + "accuracy");

    public const string TrainPrefix = "train_", EvalPrefix = "eval_";

    public double? Metric(string name) => Metrics.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// Sums over the steps of the epoch in progress: the train metrics of its record, and what a mid-epoch checkpoint
/// must carry so the resumed epoch reports the same means.
/// </summary>
public sealed class EpochTotals
{
    public int Epoch { get; set; }
    /// <summary>Batches of the epoch already trained.</summary>
    public long Batches { get; set; }
    public long Seen { get; set; }
    public double LossSum { get; set; }
    /// <summary>Correct classifications, when the step classifies.</summary>
    public long? Correct { get; set; }
    /// <summary>Sums of the step's other scalars, each weighted by its batch's size.</summary>
    public Dictionary<string, double> Scalars { get; set; } = [];
    public double Seconds { get; set; }

    public void Add(StepOutcome outcome)
    {
        Batches++;
        Seen += outcome.Count;
        LossSum += outcome.Loss * outcome.Count;
        if (outcome.Correct is { } correct) Correct = (Correct ?? 0) + correct;
        if (outcome.Scalars is null) return;
        foreach (var (name, value) in outcome.Scalars) Scalars[name] = Scalars.GetValueOrDefault(name) + value * outcome.Count;
    }

    /// <summary>The epoch's train metrics: mean loss, accuracy when the step classifies, and the means of the other scalars.</summary>
    public Dictionary<string, double> Means()
    {
        var means = new Dictionary<string, double> { [EpochRecord.TrainPrefix + "loss"] = LossSum / Seen };
        if (Correct is { } correct) means[EpochRecord.TrainPrefix + "accuracy"] = correct / (double)Seen;
        foreach (var (name, sum) in Scalars) means[EpochRecord.TrainPrefix + name] = sum / Seen;
        return means;
    }
}

/// <summary>The trainer's own state between steps (everything but tensors).</summary>
public sealed record TrainingState
{
    public int EpochsDone { get; init; }
    public long GlobalStep { get; init; }
    public IReadOnlyList<EpochRecord> History { get; init; } = [];
    public double? BestMetric { get; init; }
    public int BestEpoch { get; init; }
    public int EpochsSinceBest { get; init; }
    public bool StoppedEarly { get; init; }
    public double TrainingSeconds { get; init; }
    /// <summary>The epoch in progress when a mid-epoch checkpoint was written; null at epoch boundaries.</summary>
    public EpochTotals? InProgress { get; init; }
    /// <summary>The options the run was started with (JSON); a resume with different options is refused.</summary>
    public string OptionsJson { get; init; } = "";
}
