using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// The random state of one generated example: its own 64-bit <see cref="Seed"/>, derived from the source's seed, the
/// epoch and the index, so every example can be made alone, on any thread, in any order, and made again identically.
/// </summary>
public readonly record struct ExampleSeed(long Index, int Epoch, ulong Seed)
{
    /// <summary>A System.Random seeded from <see cref="Seed"/> (both halves folded into its 32-bit seed).</summary>
    public Random NewRandom() => new(unchecked((int)(Seed ^ (Seed >> 32))));

    /// <summary>A torch CPU generator seeded with <see cref="Seed"/>; the caller disposes it.</summary>
    public Generator NewGenerator() => new(Seed);
}
