namespace Deepscope.Numerics;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a counter-based mixer that turns nearby integers (seed, index) into
/// unrelated 64-bit seeds, the same in every process (unlike HashCode.Combine, which is salted per process).
/// </summary>
public static class SplitMix64
{
    /// <summary>The generator's output for state <paramref name="state"/>: the golden-ratio step, then the finaliser.</summary>
    public static ulong Next(ulong state)
    {
        ulong z = state + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A seed derived from a chain of values: each is mixed into the previous output.</summary>
    public static ulong Derive(ulong seed, params ReadOnlySpan<ulong> values)
    {
        ulong state = Next(seed);
        foreach (var v in values) state = Next(state ^ v);
        return state;
    }
}
