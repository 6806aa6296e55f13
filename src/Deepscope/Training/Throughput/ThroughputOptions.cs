namespace Deepscope.Training.Throughput;

/// <summary>What <see cref="TrainingThroughput.Measure"/> runs: batch, timed and untimed steps, and what it adds.</summary>
public sealed record ThroughputOptions
{
    public int Batch { get; init; } = 128;
    /// <summary>Timed steps; images/s is their batch total over their wall time.</summary>
    public int Steps { get; init; } = 10;
    /// <summary>Untimed steps first (oneDNN builds its kernels on first use).</summary>
    public int Warmup { get; init; } = 2;
    /// <summary>libtorch's convolutions everywhere, without the dispatch the trainer applies (for comparison).</summary>
    public bool PlainConvolutions { get; init; }
    /// <summary>Operators listed in the profile; 0 skips the profile.</summary>
    public int TopOperators { get; init; } = 8;
    /// <summary>Repetitions per operator in the profile (the median is kept).</summary>
    public int OperatorRepeats { get; init; } = 5;
}
