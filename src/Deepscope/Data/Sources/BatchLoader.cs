using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// Batches of a source for one epoch: in order, or shuffled by <c>randperm</c> on the caller's generator (so the order
/// is part of a checkpointed run's random state), optionally dropping the last incomplete batch. With
/// <paramref name="prefetch"/> K &gt; 0 a worker thread reads up to K batches ahead while the caller works on the
/// current one; the order and the batches are the same as without (sources are pure functions of rows and epoch).
/// </summary>
public sealed class BatchLoader(IDataSource source, int batchSize, bool dropLast = false, int prefetch = BatchLoader.DefaultPrefetch)
{
    /// <summary>
    /// Off by default. Reading ahead gained 6-33% (medians, loaded machine; docs/benchmarks.md, "Batch prefetch"), but
    /// a worker that allocates makes garbage collections happen while the training thread is inside libtorch, and
    /// TorchSharp 0.107 lets the GC finalize a temporary Scalar it is still using (BatchNorm's <c>add_(1)</c>): two of
    /// three PNG benchmark runs died in there. Turn it on where the step makes no such temporaries, or once TorchSharp
    /// keeps them alive. The worker's tensor work (gathers, stacks) is tiny next to a step: memory reads ran at 50k+ img/s.
    /// </summary>
    public const int DefaultPrefetch = 0;

    public IDataSource Source { get; } = source;
    public int BatchSize { get; } = batchSize > 0 ? batchSize : throw new DeepscopeException($"batch size must be at least 1, got {batchSize}");
    public int Prefetch { get; } = prefetch >= 0 ? prefetch : throw new DeepscopeException($"prefetch must be 0 (off) or more batches, got {prefetch}");

    /// <summary>Batches per epoch.</summary>
    public long BatchesPerEpoch => dropLast ? Source.Count / BatchSize : (Source.Count + BatchSize - 1) / BatchSize;

    /// <summary>
    /// The epoch's batches; each is the caller's to dispose (prefetched batches are made on the worker thread, outside
    /// the caller's dispose scope). With <paramref name="shuffle"/> the order is drawn from it, on the caller's thread,
    /// when the enumeration starts. A read error surfaces at the batch that failed.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch, Generator? shuffle = null)
    {
        long[] order;
        if (shuffle is null) order = [.. Enumerable.Range(0, checked((int)Source.Count)).Select(i => (long)i)];
        else
            using (var permutation = randperm(Source.Count, generator: shuffle))
                order = permutation.data<long>().ToArray();
        var batches = Prefetch == 0 ? Sequential(order, epoch) : ReadAhead(order, epoch);
        foreach (var batch in batches) yield return batch;
    }

    Batch ReadBatch(long[] order, long b, int epoch)
    {
        long start = b * BatchSize, n = Math.Min(BatchSize, Source.Count - start);
        return Source.Read(order.AsSpan((int)start, (int)n), epoch);
    }

    IEnumerable<Batch> Sequential(long[] order, int epoch)
    {
        for (long b = 0; b < BatchesPerEpoch; b++) yield return ReadBatch(order, b, epoch);
    }

    IEnumerable<Batch> ReadAhead(long[] order, int epoch)
    {
        using var ready = new BlockingCollection<Batch>(Prefetch);
        using var stop = new CancellationTokenSource();
        var worker = Task.Factory.StartNew(() =>
        {
            try
            {
                for (long b = 0; b < BatchesPerEpoch; b++)
                {
                    var batch = ReadBatch(order, b, epoch);
                    try { ready.Add(batch, stop.Token); }
                    catch (OperationCanceledException) { batch.Dispose(); return; }
                }
            }
            finally { ready.CompleteAdding(); }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var batch in ready.GetConsumingEnumerable()) yield return batch;
            worker.GetAwaiter().GetResult(); // the read error, if the worker stopped on one
        }
        finally
        {
            // The caller may stop early: end the worker and free what it read ahead.
            stop.Cancel();
            try { worker.Wait(); } catch (AggregateException) { }
            while (ready.TryTake(out var unread)) unread.Dispose();
        }
    }
}
