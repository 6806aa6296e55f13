using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// Token-id sequences of any lengths with optional class labels (text classification). Fields: <c>input</c> int64
/// (T) token ids padded with <paramref name="paddingId"/> to the batch's longest sequence, or to
/// <paramref name="fixedLength"/> (longer sequences cut to it); <c>length</c> int64, the real tokens per row; and
/// <c>label</c> int64 when labels are given. With batch padding T differs between batches: the field's shape says -1.
/// </summary>
public sealed class TokenSequenceSource : IDataSource
{
    readonly IReadOnlyList<long[]> _sequences;
    readonly long[]? _labels;
    readonly int? _fixedLength;
    readonly long _paddingId;

    public TokenSequenceSource(IReadOnlyList<long[]> sequences, IReadOnlyList<long>? labels = null, IReadOnlyList<string>? classes = null,
        int? fixedLength = null, long paddingId = 0)
    {
        if (sequences.Count == 0) throw new DeepscopeException("a token source needs at least one sequence");
        if (labels != null && labels.Count != sequences.Count)
            throw new DeepscopeException($"{sequences.Count} sequences but {labels.Count} labels");
        if (fixedLength is <= 0) throw new DeepscopeException($"fixed length must be positive, got {fixedLength}");
        _sequences = sequences;
        _labels = labels?.ToArray();
        _fixedLength = fixedLength;
        _paddingId = paddingId;
        Classes = classes ?? [];
        Fields =
        [
            new(Sources.Fields.Input, ScalarType.Int64, [fixedLength ?? -1]),
            new(Sources.Fields.Length, ScalarType.Int64, []),
            .. _labels is null ? Array.Empty<FieldSpec>() : [new(Sources.Fields.Label, ScalarType.Int64, [])],
        ];
    }

    public long Count => _sequences.Count;
    public IReadOnlyList<FieldSpec> Fields { get; }
    public IReadOnlyList<string> Classes { get; }

    public Batch Read(ReadOnlySpan<long> indices, int epoch)
    {
        SourceRows.Check(indices, Count);
        var rows = indices.ToArray();
        var lengths = rows.Select(i => (long)Math.Min(_sequences[(int)i].Length, _fixedLength ?? int.MaxValue)).ToArray();
        long width = _fixedLength ?? lengths.Max();
        var ids = new long[rows.Length * width];
        Array.Fill(ids, _paddingId);
        for (int r = 0; r < rows.Length; r++)
            _sequences[(int)rows[r]].AsSpan(0, (int)lengths[r]).CopyTo(ids.AsSpan((int)(r * width)));
        return SourceRows.Collect(() =>
        {
            var fields = new Dictionary<string, Tensor>
            {
                [Sources.Fields.Input] = tensor(ids).view(rows.Length, width),
                [Sources.Fields.Length] = tensor(lengths),
            };
            if (_labels is { } labels) fields[Sources.Fields.Label] = tensor(rows.Select(i => labels[i]).ToArray());
            return fields;
        });
    }
}
