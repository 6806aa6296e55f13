using Deepscope.Training;

namespace Deepscope.Tests.Training;

/// <summary>
/// Learning rates per optimizer step against PyTorch 1.13's schedulers (python3-torch; values printed by stepping
/// OneCycleLR(max_lr=0.1, total_steps=20), CosineAnnealingLR(T_max=20), and StepLR(step_size=2, gamma=0.5) /
/// MultiStepLR([1, 4], 0.1) stepped once per epoch of 3 batches, base lr 0.1).
/// </summary>
public class ScheduleTests
{
    static double[] Rates(LearningRateSchedule schedule, int total, int perEpoch) =>
        [.. Enumerable.Range(0, total).Select(s => 0.1 * schedule.Factor(s, total, perEpoch))];

    static void Equal(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-10, $"step {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void OneCycleMatchesPyTorch() => Equal(
        [0.004, 0.01316718427, 0.03716718427, 0.06683281573, 0.09083281573, 0.1, 0.098746400624, 0.095048463201, 0.089091617757, 0.081174565395,
         0.071694300179, 0.061126202194, 0.0500002, 0.038874197806, 0.028306099821, 0.018825834605, 0.010908782243, 0.004951936799, 0.001253999376, 4e-07],
        Rates(new LearningRateSchedule { Kind = ScheduleKind.OneCycle }, 20, 4));

    [Fact]
    public void CosineMatchesPyTorch() => Equal(
        [0.1, 0.09938441703, 0.097552825815, 0.094550326209, 0.090450849719, 0.085355339059, 0.079389262615, 0.072699524987, 0.065450849719, 0.057821723252,
         0.05, 0.042178276748, 0.034549150281, 0.027300475013, 0.020610737385, 0.014644660941, 0.009549150281, 0.005449673791, 0.002447174185, 0.00061558297],
        Rates(new LearningRateSchedule { Kind = ScheduleKind.Cosine }, 20, 4));

    [Fact]
    public void StepAndMultiStepDecayAtEpochBoundariesLikePyTorch()
    {
        Equal([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025],
            Rates(new LearningRateSchedule { Kind = ScheduleKind.Step, StepSize = 2, Gamma = 0.5 }, 18, 3));
        Equal([0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.001, 0.001, 0.001],
            Rates(new LearningRateSchedule { Kind = ScheduleKind.MultiStep, Milestones = [1, 4], Gamma = 0.1 }, 18, 3));
    }

    [Fact]
    public void WarmupRampsLinearlyThenFollowsTheSchedule()
    {
        var schedule = new LearningRateSchedule { Kind = ScheduleKind.Cosine, WarmupEpochs = 1 };
        var plain = new LearningRateSchedule { Kind = ScheduleKind.Cosine };
        for (int s = 0; s < 4; s++) Assert.Equal(plain.Factor(s, 40, 4) * (s + 1) / 4.0, schedule.Factor(s, 40, 4), 12);
        for (int s = 4; s < 40; s++) Assert.Equal(plain.Factor(s, 40, 4), schedule.Factor(s, 40, 4), 12);
    }

    [Fact]
    public void InvalidSettingsAreRejectedWithAClearMessage()
    {
        var e = Assert.Throws<DeepscopeException>(() => new LearningRateSchedule { Kind = ScheduleKind.MultiStep }.Validate());
        Assert.Contains("milestones", e.Message);
        Assert.Throws<DeepscopeException>(() => new LearningRateSchedule { PercentStart = 1.5 }.Validate());
    }
}
