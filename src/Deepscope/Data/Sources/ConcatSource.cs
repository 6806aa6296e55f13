using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// Sources one after the other (the rows of the first, then of the second, ...), e.g. several folders or a real and
/// a generated set. Their fields must agree in name, dtype and shape, and their class lists must be equal.
/// </summary>
public sealed class ConcatSource : IDataSource
{
    readonly IDataSource[] _sources;
    readonly long[] _starts;

    public ConcatSource(params IDataSource[] sources)
    {
        if (sources.Length == 0) throw new DeepscopeException("a concatenation needs at least one source");
        _sources = sources;
        _starts = new long[sources.Length + 1];
        for (int s = 0; s < sources.Length; s++) _starts[s + 1] = _starts[s] + sources[s].Count;
        string Describe(IDataSource source) => string.Join(", ", source.Fields.Select(f => $"{f.Name} {f.DType} ({string.Join(", ", f.Shape)})"));
        foreach (var other in sources.Skip(1))
        {
            if (Describe(other) != Describe(sources[0]))
                throw new DeepscopeException($"cannot concatenate sources with fields [{Describe(sources[0])}] and [{Describe(other)}]");
            if (!other.Classes.SequenceEqual(sources[0].Classes))
                throw new DeepscopeException($"cannot concatenate sources with classes [{string.Join(", ", sources[0].Classes)}] and [{string.Join(", ", other.Classes)}]");
        }
    }

    public long Count => _starts[^1];
    public IReadOnlyList<FieldSpec> Fields => _sources[0].Fields;
    public IReadOnlyList<string> Classes => _sources[0].Classes;

    /// <summary>Reads each source's share of the rows in one call, then puts the rows back in the asked order.</summary>
    public Batch Read(ReadOnlySpan<long> indices, int epoch)
    {
        SourceRows.Check(indices, Count);
        var rows = indices.ToArray();
        var owner = rows.Select(i => Array.FindLastIndex(_starts, _sources.Length - 1, _sources.Length, start => start <= i)).ToArray();
        var groups = Enumerable.Range(0, _sources.Length).Where(owner.Contains).ToArray();
        if (groups.Length == 1) return _sources[groups[0]].Read(rows.Select(i => i - _starts[groups[0]]).ToArray(), epoch);
        return SourceRows.Collect(() =>
        {
            var positions = new List<long>(rows.Length);
            var parts = new List<Batch>();
            foreach (var s in groups)
            {
                var mine = Enumerable.Range(0, rows.Length).Where(r => owner[r] == s).ToArray();
                positions.AddRange(mine.Select(r => (long)r));
                parts.Add(_sources[s].Read(mine.Select(r => rows[r] - _starts[s]).ToArray(), epoch));
            }
            // Row k of the concatenated parts is asked position positions[k]; invert that to restore the order.
            var inverse = new long[rows.Length];
            for (int k = 0; k < positions.Count; k++) inverse[positions[k]] = k;
            using var order = tensor(inverse);
            return Fields.ToDictionary(f => f.Name, f => cat(parts.Select(p => p[f.Name]).ToList()).index_select(0, order));
        });
    }
}
