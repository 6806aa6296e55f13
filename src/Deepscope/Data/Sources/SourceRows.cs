using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>What every source does around reading rows: check the indices, and build the batch so that a failure
/// half-way (a corrupt file in the second field) frees the tensors already made.</summary>
static class SourceRows
{
    public static void Check(ReadOnlySpan<long> indices, long count)
    {
        if (indices.IsEmpty) throw new DeepscopeException("a batch needs at least one index");
        foreach (var i in indices)
            if (i < 0 || i >= count) throw new DeepscopeException($"index {i} is outside the source's {count} examples");
    }

    /// <summary>The fields <paramref name="build"/> makes, as a batch in the caller's dispose scope.</summary>
    public static Batch Collect(Func<Dictionary<string, Tensor>> build)
    {
        using var scope = NewDisposeScope();
        var fields = build();
        return new Batch(fields.ToDictionary(p => p.Key, p => p.Value.MoveToOuterDisposeScope()));
    }
}
