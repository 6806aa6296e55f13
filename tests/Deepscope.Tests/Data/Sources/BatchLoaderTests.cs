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
    public void AReadErrorSurfacesAtItsBatch()
    {
        var failing = new CountingSource(Images(50), failAt: 3);
        var seen = 0;
        var error = Assert.Throws<DeepscopeException>(() =>
        {
            foreach (var batch in new BatchLoader(failing, 10).Epoch(0))
                using (batch) seen++;
        });
        Assert.Equal(3, seen);
        Assert.Equal("read 3 failed", error.Message);
    }

    /// <summary>Counts reads, and fails one when asked to.</summary>
    sealed class CountingSource(IDataSource inner, int failAt) : IDataSource
    {
        int _reads;
        public long Count => inner.Count;
        public IReadOnlyList<FieldSpec> Fields => inner.Fields;
        public IReadOnlyList<string> Classes => inner.Classes;

        public Batch Read(ReadOnlySpan<long> indices, int epoch)
        {
            int n = _reads++;
            if (n == failAt) throw new DeepscopeException($"read {n} failed");
            return inner.Read(indices, epoch);
        }
    }
}
