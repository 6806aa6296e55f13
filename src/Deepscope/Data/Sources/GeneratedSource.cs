using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// Examples made on the fly (cluttered or translated digits, synthetic defects): <paramref name="generate"/> gets an
/// <see cref="ExampleSeed"/> and returns one example's tensors, without the batch dimension, as <paramref name="fields"/>
/// declares them. The example seed is SplitMix64 of (seed, epoch, index), so an example depends on nothing else;
/// <paramref name="freshEachEpoch"/> false pins the epoch to 0 (the same examples every epoch: a fixed test set),
/// true draws new ones per epoch (training). <paramref name="generate"/> must be thread-safe and depend only on its seed.
/// </summary>
public sealed class GeneratedSource(long count, IReadOnlyList<FieldSpec> fields, Func<ExampleSeed, IReadOnlyDictionary<string, Tensor>> generate,
    ulong seed, bool freshEachEpoch = true, IReadOnlyList<string>? classes = null) : IDataSource
{
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
            var columns = Fields.ToDictionary(f => f.Name, _ => new List<Tensor>(rows.Length), StringComparer.Ordinal);
            foreach (var index in rows)
            {
                var example = generate(SeedOf(index, epoch));
                foreach (var field in Fields)
                {
                    if (!example.TryGetValue(field.Name, out var t))
                        throw new DeepscopeException($"generated example {index} has no field '{field.Name}' (it has: {string.Join(", ", example.Keys)})");
                    if (t.dtype != field.DType || !t.shape.SequenceEqual(field.Shape))
                        throw new DeepscopeException($"generated example {index}: field '{field.Name}' is {t.dtype} ({string.Join(", ", t.shape)}), declared {field.DType} ({string.Join(", ", field.Shape)})");
                    columns[field.Name].Add(t);
                }
            }
            return columns.ToDictionary(p => p.Key, p => stack(p.Value));
        });
    }
}
