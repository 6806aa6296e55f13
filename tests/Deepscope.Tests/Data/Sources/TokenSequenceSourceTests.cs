using Deepscope.Data.Sources;
using static TorchSharp.torch;

namespace Deepscope.Tests.Data.Sources;

public class TokenSequenceSourceTests
{
    static readonly long[][] Sentences = [[5, 6, 7], [8], [9, 10, 11, 12, 13], []];

    [Fact]
    public void PadsToTheBatchsLongestAndGivesLengths()
    {
        var source = new TokenSequenceSource(Sentences, labels: [1, 0, 2, 1], classes: ["neg", "neu", "pos"], paddingId: -1);
        Assert.Equal([-1L], source.Fields[0].Shape);
        using var batch = source.Read([1, 0], 0);
        Assert.Equal(ScalarType.Int64, batch[Fields.Input].dtype);
        Assert.Equal([2L, 3], batch[Fields.Input].shape);
        Assert.Equal([8L, -1, -1, 5, 6, 7], batch[Fields.Input].data<long>().ToArray());
        Assert.Equal([1L, 3], batch[Fields.Length].data<long>().ToArray());
        Assert.Equal([0L, 1], batch[Fields.Label].data<long>().ToArray());

        using var withEmpty = source.Read([3, 2], 0);
        Assert.Equal([2L, 5], withEmpty[Fields.Input].shape);
        Assert.Equal([0L, 5], withEmpty[Fields.Length].data<long>().ToArray());
        Assert.Equal([-1L, -1, -1, -1, -1, 9, 10, 11, 12, 13], withEmpty[Fields.Input].data<long>().ToArray());
    }

    [Fact]
    public void AFixedLengthPadsAndCuts()
    {
        var source = new TokenSequenceSource(Sentences, fixedLength: 4);
        Assert.Equal([Fields.Input, Fields.Length], source.Fields.Select(f => f.Name));
        using var batch = source.Read([1, 2], 0);
        Assert.False(batch.Has(Fields.Label));
        Assert.Equal([2L, 4], batch[Fields.Input].shape);
        Assert.Equal([8L, 0, 0, 0, 9, 10, 11, 12], batch[Fields.Input].data<long>().ToArray());
        Assert.Equal([1L, 4], batch[Fields.Length].data<long>().ToArray());
    }

    [Fact]
    public void MismatchedLabelsAreRefused()
    {
        var error = Assert.Throws<DeepscopeException>(() => new TokenSequenceSource(Sentences, labels: [1, 2]));
        Assert.Contains("4 sequences but 2 labels", error.Message);
    }
}
