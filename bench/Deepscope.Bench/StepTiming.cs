using System.Diagnostics;

namespace Deepscope.Bench;

/// <summary>The steady-state rate of a repeated step: <paramref name="warmup"/> untimed calls, then <paramref name="steps"/> timed ones.</summary>
public static class StepTiming
{
    public static double ItemsPerSecond(Action step, int warmup, int steps, int itemsPerStep)
    {
        for (int i = 0; i < warmup; i++) step();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) step();
        return (double)itemsPerStep * steps / clock.Elapsed.TotalSeconds;
    }
}
