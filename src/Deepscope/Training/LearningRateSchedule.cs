namespace Deepscope.Training;

public enum ScheduleKind { Constant, Step, MultiStep, Cosine, OneCycle }

/// <summary>
/// A learning-rate schedule as a pure function of the optimizer step, so a resumed run needs only the step count.
/// <see cref="Factor"/> multiplies each parameter group's base learning rate. Step and multi-step decay at epoch
/// boundaries (PyTorch's StepLR/MultiStepLR stepped per epoch); cosine and one-cycle follow PyTorch's
/// CosineAnnealingLR and OneCycleLR (cosine annealing) stepped per batch. A linear warm-up over
/// <see cref="WarmupEpochs"/> multiplies any schedule.
/// </summary>
public sealed record LearningRateSchedule
{
    public ScheduleKind Kind { get; init; } = ScheduleKind.Constant;
    /// <summary>Step: decay every this many epochs.</summary>
    public int StepSize { get; init; } = 30;
    /// <summary>Multi-step: epochs at which to decay.</summary>
    public IReadOnlyList<int> Milestones { get; init; } = [];
    /// <summary>Step and multi-step: decay factor.</summary>
    public double Gamma { get; init; } = 0.1;
    /// <summary>Cosine: final learning rate as a fraction of the base rate.</summary>
    public double MinFactor { get; init; }
    /// <summary>One-cycle: fraction of the run spent increasing the rate; the rate starts at base/DivFactor and ends at base/(DivFactor*FinalDivFactor).</summary>
    public double PercentStart { get; init; } = 0.3;
    public double DivFactor { get; init; } = 25;
    public double FinalDivFactor { get; init; } = 1e4;
    /// <summary>Linear warm-up from 0 to the scheduled rate over this many epochs (fractions allowed).</summary>
    public double WarmupEpochs { get; init; }

    public static LearningRateSchedule Constant { get; } = new();

    /// <summary>The factor for optimizer step <paramref name="step"/> (0-based) of <paramref name="totalSteps"/>, with <paramref name="stepsPerEpoch"/> steps per epoch.</summary>
    public double Factor(long step, long totalSteps, long stepsPerEpoch)
    {
        if (stepsPerEpoch < 1 || totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(stepsPerEpoch), "a schedule needs at least one step");
        long epoch = step / stepsPerEpoch;
        double factor = Kind switch
        {
            ScheduleKind.Constant => 1,
            ScheduleKind.Step => Math.Pow(Gamma, epoch / StepSize),
            ScheduleKind.MultiStep => Math.Pow(Gamma, Milestones.Count(m => epoch >= m)),
            ScheduleKind.Cosine => MinFactor + (1 - MinFactor) * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(step, totalSteps) / totalSteps)),
            ScheduleKind.OneCycle => OneCycle(step, totalSteps),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
        };
        double warmupSteps = WarmupEpochs * stepsPerEpoch;
        return warmupSteps > 0 && step < warmupSteps ? factor * (step + 1) / warmupSteps : factor;
    }

    double OneCycle(long step, long totalSteps)
    {
        // PyTorch's OneCycleLR: phase ends at pct_start*total - 1 and total - 1, cosine annealing between.
        double start = 1 / DivFactor, end = start / FinalDivFactor;
        double peakStep = PercentStart * totalSteps - 1, lastStep = totalSteps - 1;
        static double Anneal(double from, double to, double t) => to + (from - to) / 2 * (Math.Cos(Math.PI * t) + 1);
        if (step <= peakStep) return Anneal(start, 1, peakStep <= 0 ? 1 : step / peakStep);
        return Anneal(1, end, Math.Min(1, (step - peakStep) / Math.Max(1e-12, lastStep - peakStep)));
    }

    /// <summary>Checks the settings once, with messages a CLI user understands.</summary>
    public void Validate()
    {
        if (StepSize < 1) throw new DeepscopeException($"schedule step size must be at least 1 epoch, got {StepSize}");
        if (Gamma <= 0) throw new DeepscopeException($"schedule gamma must be positive, got {Gamma}");
        if (Kind == ScheduleKind.MultiStep && Milestones.Count == 0) throw new DeepscopeException("multi-step schedule needs milestones (epochs), e.g. --milestones 30,60");
        if (MinFactor is < 0 or > 1) throw new DeepscopeException($"cosine minimum factor must be in [0, 1], got {MinFactor}");
        if (PercentStart is <= 0 or >= 1) throw new DeepscopeException($"one-cycle pct-start must be in (0, 1), got {PercentStart}");
        if (WarmupEpochs < 0) throw new DeepscopeException($"warm-up epochs must be >= 0, got {WarmupEpochs}");
    }
}
