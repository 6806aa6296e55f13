using Deepscope.Numerics;

namespace Deepscope.Data.Sources;

/// <summary>
/// Balanced sampling of a labelled source: as many examples per epoch as the source has, each drawn by first picking
/// a class uniformly, then an example of it uniformly (with replacement), so rare classes are seen as often as common
/// ones. Row i of epoch e is a function of (seed, e, i) alone, as every source's rows must be.
/// </summary>
public sealed class BalancedSource : IDataSource
{
    readonly IDataSource _source;
    readonly long[][] _rowsByClass;
    readonly ulong _seed;

    /// <param name="labels">The class of each row of <paramref name="source"/> (any integers).</param>
    public BalancedSource(IDataSource source, IReadOnlyList<int> labels, long seed)
    {
        if (labels.Count != source.Count) throw new ArgumentException($"{labels.Count} labels for {source.Count} rows", nameof(labels));
        _source = source;
        _rowsByClass = [.. labels.Select((label, row) => (label, row)).GroupBy(p => p.label).OrderBy(g => g.Key).Select(g => g.Select(p => (long)p.row).ToArray())];
        if (_rowsByClass.Length == 0) throw new DeepscopeException("balanced sampling of an empty source");
        _seed = unchecked((ulong)seed);
    }

    public long Count => _source.Count;
    public IReadOnlyList<FieldSpec> Fields => _source.Fields;
    public IReadOnlyList<string> Classes => _source.Classes;

    public Batch Read(ReadOnlySpan<long> indices, int epoch)
    {
        SourceRows.Check(indices, Count);
        var rows = new long[indices.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            ulong draw = SplitMix64.Derive(_seed, (ulong)epoch, (ulong)indices[i]);
            var members = _rowsByClass[(int)(draw % (ulong)_rowsByClass.Length)];
            rows[i] = members[(int)(SplitMix64.Next(draw) % (ulong)members.Length)];
        }
        return _source.Read(rows, epoch);
    }
}
