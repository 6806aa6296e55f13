namespace Deepscope.Data.Sources;

/// <summary>
/// Some rows of a source, in a given order: row i of the subset is row <c>rows[i]</c> of the source. Train/validation
/// splits, folds and leave-one-group-out sets of any source are subsets.
/// </summary>
public sealed class SubsetSource : IDataSource
{
    readonly long[] _rows;

    public SubsetSource(IDataSource source, IReadOnlyList<long> rows)
    {
        Source = source;
        _rows = [.. rows];
        if (_rows.Length == 0) throw new DeepscopeException("a subset needs at least one row");
        SourceRows.Check(_rows, source.Count);
    }

    public IDataSource Source { get; }
    public IReadOnlyList<long> Rows => _rows;
    public long Count => _rows.Length;
    public IReadOnlyList<FieldSpec> Fields => Source.Fields;
    public IReadOnlyList<string> Classes => Source.Classes;

    public Batch Read(ReadOnlySpan<long> indices, int epoch)
    {
        SourceRows.Check(indices, Count);
        var mapped = new long[indices.Length];
        for (int i = 0; i < mapped.Length; i++) mapped[i] = _rows[indices[i]];
        return Source.Read(mapped, epoch);
    }
}
