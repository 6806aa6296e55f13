using Deepscope.Data.Sources;
using static TorchSharp.torch;

namespace Deepscope.Tests.Data.Sources;

public class BatchLoaderTests
{
    static TensorSource Images(long count)
    {
        using var generator = new TorchSharp.torch.Generator(5);
        return new TensorSource(new Dictionary<string, Tensor>
        {
            [Fields.Input] = randint(0, 256, [count, 1, 6, 6], dtype: ScalarType.Byte, generator: generator),
            [Fields.Label] = arange(count, dtype: ScalarType.Int64),
        });
    }

    static List<Batch> ReadAll(BatchLoader loader, int epoch, ulong seed)
    {
        using var shuffle = new TorchSharp.torch.Generator(seed);
        var batches = loader.Epoch(epoch, shuffle).ToList();
        // The generator moved on exactly as one randperm moves it, whatever the prefetch.
        using var next = randint(0, 1_000_000, [1], generator: shuffle);
        batches.Add(new Batch(new Dictionary<string, Tensor> { ["after"] = next.clone() }));
        return batches;
    }

    [Fact]
    public void PrefetchGivesTheSameBatchesInTheSameOrder()
    {
        var source = Images(103);
        foreach (var prefetch in new[] { 1, 3 })
        {
            var sync = ReadAll(new BatchLoader(source, 10, prefetch: 0), 2, 42);
            var ahead = ReadAll(new BatchLoader(source, 10, prefetch: prefetch), 2, 42);
            Assert.Equal(sync.Count, ahead.Count);
            for (int b = 0; b < sync.Count; b++)
                foreach (var name in sync[b].Names)
                    TensorAssert.Identical(sync[b][name], ahead[b][name]);
            foreach (var batch in sync.Concat(ahead)) batch.Dispose();
        }
    }

    [Fact]
    public void TheShuffledOrderIsOneRandpermOfTheCallersGenerator()
    {
        var source = Images(37);
        using var reference = new TorchSharp.torch.Generator(9);
        using var permutation = randperm(37, generator: reference);
        using var shuffle = new TorchSharp.torch.Generator(9);
        var labels = new List<long>();
        foreach (var batch in new BatchLoader(source, 8, dropLast: true).Epoch(0, shuffle))
            using (batch) labels.AddRange(batch[Fields.Label].data<long>().ToArray());
        Assert.Equal(permutation.data<long>().ToArray()[..32], labels);
    }

    [Fact]
    public void StoppingEarlyEndsTheWorker()
    {
        var counting = new CountingSource(Images(1000));
        var loader = new BatchLoader(counting, 10, prefetch: 2);
        foreach (var batch in loader.Epoch(0).Take(3)) batch.Dispose();
        int read = counting.Reads;
        Thread.Sleep(100);
        Assert.Equal(read, counting.Reads); // nothing reads after the enumeration was left
        Assert.InRange(read, 3, 3 + 2 + 1); // the taken batches, the queue, and the one the worker held
    }

    [Fact]
    public void AReadErrorSurfacesAtItsBatch()
    {
        var failing = new CountingSource(Images(50), failAt: 3);
        var seen = 0;
        var error = Assert.Throws<DeepscopeException>(() =>
        {
            foreach (var batch in new BatchLoader(failing, 10, prefetch: 2).Epoch(0))
                using (batch) seen++;
        });
        Assert.Equal(3, seen);
        Assert.Equal("read 3 failed", error.Message);
    }

    /// <summary>Counts reads, and fails one when asked to.</summary>
    sealed class CountingSource(IDataSource inner, int failAt = -1) : IDataSource
    {
        int _reads;
        public int Reads => Volatile.Read(ref _reads);
        public long Count => inner.Count;
        public IReadOnlyList<FieldSpec> Fields => inner.Fields;
        public IReadOnlyList<string> Classes => inner.Classes;

        public Batch Read(ReadOnlySpan<long> indices, int epoch)
        {
            int n = Interlocked.Increment(ref _reads) - 1;
            if (n == failAt) throw new DeepscopeException($"read {n} failed");
            return inner.Read(indices, epoch);
        }
    }
}
