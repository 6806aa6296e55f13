using Deepscope.Data.Sources;
using static TorchSharp.torch;

namespace Deepscope.Tests.Data.Sources;

public class SubsetAndConcatSourceTests
{
    static TensorSource Numbered(long from, long count) => new(new Dictionary<string, Tensor>
    {
        [Fields.Input] = arange(from, from + count, dtype: ScalarType.Float32).view(count, 1),
        [Fields.Label] = arange(from, from + count, dtype: ScalarType.Int64),
    });

    [Fact]
    public void ASubsetReadsItsRowsOfTheSource()
    {
        var subset = new SubsetSource(Numbered(0, 10), [7, 2, 9]);
        Assert.Equal(3, subset.Count);
        using var batch = subset.Read([2, 0, 0], 0);
        Assert.Equal([9L, 7, 7], batch[Fields.Label].data<long>().ToArray());
        Assert.Throws<DeepscopeException>(() => new SubsetSource(Numbered(0, 10), [10]));
        Assert.Throws<DeepscopeException>(() => subset.Read([3], 0));
    }

    [Fact]
    public void AConcatenationKeepsTheAskedOrderAcrossSources()
    {
        var both = new ConcatSource(Numbered(0, 4), Numbered(100, 3), Numbered(200, 2));
        Assert.Equal(9, both.Count);
        using var batch = both.Read([5, 0, 8, 3, 4, 7], 0);
        Assert.Equal([101L, 0, 201, 3, 100, 200], batch[Fields.Label].data<long>().ToArray());
        Assert.Equal([101f, 0, 201, 3, 100, 200], batch[Fields.Input].data<float>().ToArray());
        using var one = both.Read([6, 5], 0);
        Assert.Equal([102L, 101], one[Fields.Label].data<long>().ToArray());
    }

    [Fact]
    public void SourcesWithOtherFieldsDoNotConcatenate()
    {
        var tokens = new TokenSequenceSource([[1L, 2]]);
        var error = Assert.Throws<DeepscopeException>(() => new ConcatSource(Numbered(0, 2), tokens));
        Assert.Contains("cannot concatenate sources with fields", error.Message);
    }
}
