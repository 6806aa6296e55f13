using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// Batches of a source for one epoch: in order, or shuffled by <c>randperm</c> on the caller's generator (so the order
/// is part of a checkpointed run's random state), optionally dropping the last incomplete batch. Batches are read on the
/// caller's thread: a read-ahead worker gained 6-33%, but it allocates while the training thread is inside libtorch,
/// which TorchSharp's temporary Scalars do not survive (<see cref="Runtime.CollectorMode"/>; docs/benchmarks.md,
/// "Batch prefetch").
/// </summary>
public sealed class BatchLoader(IDataSource source, int batchSize, bool dropLast = false)
{
    public IDataSource Source { get; } = source;
    public int BatchSize { get; } = batchSize > 0 ? batchSize : throw new DeepscopeException($"batch size must be at least 1, got {batchSize}");

    /// <summary>Batches per epoch.</summary>
    public long BatchesPerEpoch => dropLast ? Source.Count / BatchSize : (Source.Count + BatchSize - 1) / BatchSize;

    /// <summary>
    /// The epoch's batches; each is the caller's to dispose. With <paramref name="shuffle"/> the order is drawn from it
    /// when the enumeration starts. A read error surfaces at the batch that failed.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch, Generator? shuffle = null)
    {
        long[] order;
        if (shuffle is null) order = [.. Enumerable.Range(0, checked((int)Source.Count)).Select(i => (long)i)];
        else
            using (var permutation = randperm(Source.Count, generator: shuffle))
                order = permutation.data<long>().ToArray();
        for (long b = 0; b < BatchesPerEpoch; b++) yield return ReadBatch(order, b, epoch);
    }

    Batch ReadBatch(long[] order, long b, int epoch)
    {
        long start = b * BatchSize, n = Math.Min(BatchSize, Source.Count - start);
        return Source.Read(order.AsSpan((int)start, (int)n), epoch);
    }
}
