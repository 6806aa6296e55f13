using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>Writes one generated example into its row of the batch (<paramref name="row"/>); see <see cref="GeneratedSource"/>.</summary>
public delegate void ExampleWriter(ExampleSeed example, ExampleRow row);

/// <summary>
/// One example's row of a batch being generated: for each field, the example's slot in that field's batch tensor,
/// uninitialised, for the writer to fill. Valid only during the write call.
/// </summary>
public readonly unsafe struct ExampleRow
{
    readonly BatchColumns _batch;
    readonly int _index;

    internal ExampleRow(BatchColumns batch, int index) => (_batch, _index) = (batch, index);

    /// <summary>The example's slot in field <paramref name="name"/>, as elements of type <typeparamref name="T"/>.</summary>
    public Span<T> Field<T>(string name) where T : unmanaged
    {
        int i = _batch.IndexOf(name);
        if (Unsafe.SizeOf<T>() != _batch.ElementSizes[i])
            throw new DeepscopeException($"generated field '{name}' holds {_batch.Fields[i].DType}, not {typeof(T).Name}");
        return MemoryMarshal.Cast<byte, T>(Bytes(i));
    }

    /// <summary>The example's slot in field number <paramref name="field"/> (in the source's field order), as bytes.</summary>
    public Span<byte> Bytes(int field) => new((byte*)_batch.Data[field] + (long)_index * _batch.RowBytes[field], _batch.RowBytes[field]);
}

/// <summary>A batch's tensors, one per field, as the writers fill them: where each one's memory is and its bytes per example.</summary>
sealed class BatchColumns
{
    public IReadOnlyList<FieldSpec> Fields { get; }
    public IReadOnlyList<Tensor> Tensors { get; }
    public nint[] Data { get; }
    public int[] ElementSizes { get; }
    public int[] RowBytes { get; }

    public unsafe BatchColumns(IReadOnlyList<FieldSpec> fields, int rows)
    {
        Fields = fields;
        Tensors = [.. fields.Select(f => empty([rows, .. f.Shape], f.DType))];
        // Native memory that does not move: the first byte's address stays valid while the tensor lives.
        Data = [.. Tensors.Select(t => { fixed (byte* p = t.bytes) return (nint)p; })];
        ElementSizes = [.. Tensors.Select(t => (int)t.ElementSize)];
        RowBytes = [.. fields.Select((f, i) => checked((int)(f.Shape.Aggregate(1L, (a, b) => a * b) * ElementSizes[i])))];
    }

    public int IndexOf(string name)
    {
        for (int i = 0; i < Fields.Count; i++)
            if (Fields[i].Name == name) return i;
        throw new DeepscopeException($"a generated source has no field '{name}' (it has: {string.Join(", ", Fields.Select(f => f.Name))})");
    }
}

/// <summary>
/// Examples made on the fly (cluttered or translated digits, synthetic defects): <paramref name="write"/> gets an
/// <see cref="ExampleSeed"/> and fills that example's row of each field, as <paramref name="fields"/> declares them,
/// straight into the batch's tensors (making tensors per example cost more than generating cluttered digits). The
/// example seed is SplitMix64 of (seed, epoch, index), so an example depends on nothing else;
/// <paramref name="freshEachEpoch"/> false pins the epoch to 0 (the same examples every epoch: a fixed test set),
/// true draws new ones per epoch (training). <paramref name="write"/> must be thread-safe and depend only on its seed.
/// </summary>
public sealed class GeneratedSource(long count, IReadOnlyList<FieldSpec> fields, ExampleWriter write,
    ulong seed, bool freshEachEpoch = true, IReadOnlyList<string>? classes = null) : IDataSource
{
    /// <summary>A source whose <paramref name="generate"/> returns each example's tensors, without the batch dimension.</summary>
    public GeneratedSource(long count, IReadOnlyList<FieldSpec> fields, Func<ExampleSeed, IReadOnlyDictionary<string, Tensor>> generate,
        ulong seed, bool freshEachEpoch = true, IReadOnlyList<string>? classes = null)
        : this(count, fields, CopyTensors(fields, generate), seed, freshEachEpoch, classes) { }

    public long Count { get; } = count > 0 ? count : throw new DeepscopeException($"a generated source needs at least one example, got {count}");
    public IReadOnlyList<FieldSpec> Fields { get; } = fields.Count > 0 ? fields : throw new ArgumentException("a generated source needs at least one field", nameof(fields));
    public IReadOnlyList<string> Classes { get; } = classes ?? [];
    public ulong Seed { get; } = seed;
    public bool FreshEachEpoch { get; } = freshEachEpoch;

    /// <summary>The random state example <paramref name="index"/> gets in <paramref name="epoch"/>.</summary>
    public ExampleSeed SeedOf(long index, int epoch)
    {
        int e = FreshEachEpoch ? epoch : 0;
        return new ExampleSeed(index, e, SplitMix64.Derive(Seed, (ulong)e, (ulong)index));
    }

    public Batch Read(ReadOnlySpan<long> indices, int epoch)
    {
        SourceRows.Check(indices, Count);
        var rows = indices.ToArray();
        return SourceRows.Collect(() =>
        {
            var batch = new BatchColumns(Fields, rows.Length);
            for (int r = 0; r < rows.Length; r++) write(SeedOf(rows[r], epoch), new ExampleRow(batch, r));
            return Fields.Select((f, i) => (f.Name, Column: batch.Tensors[i])).ToDictionary(p => p.Name, p => p.Column, StringComparer.Ordinal);
        });
    }

    static ExampleWriter CopyTensors(IReadOnlyList<FieldSpec> fields, Func<ExampleSeed, IReadOnlyDictionary<string, Tensor>> generate) => (example, row) =>
    {
        var tensors = generate(example);
        for (int i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            if (!tensors.TryGetValue(field.Name, out var t))
                throw new DeepscopeException($"generated example {example.Index} has no field '{field.Name}' (it has: {string.Join(", ", tensors.Keys)})");
            if (t.dtype != field.DType || !t.shape.SequenceEqual(field.Shape))
                throw new DeepscopeException($"generated example {example.Index}: field '{field.Name}' is {t.dtype} ({string.Join(", ", t.shape)}), declared {field.DType} ({string.Join(", ", field.Shape)})");
            using var contiguous = t.contiguous();
            contiguous.bytes.CopyTo(row.Bytes(i));
        }
    };
}
