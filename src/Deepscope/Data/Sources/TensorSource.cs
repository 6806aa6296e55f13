using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// Examples held in memory as tensors with a common first dimension (images and labels, noisy and clean pairs, token
/// ids). Does not own the tensors; <see cref="Read"/> gathers rows into new tensors.
/// </summary>
public sealed class TensorSource : IDataSource
{
    readonly IReadOnlyDictionary<string, Tensor> _tensors;

    public TensorSource(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyList<string>? classes = null)
    {
        if (tensors.Count == 0) throw new ArgumentException("a source needs at least one tensor", nameof(tensors));
        _tensors = tensors;
        Count = tensors.Values.First().shape[0];
        foreach (var (name, t) in tensors)
            if (t.dim() == 0 || t.shape[0] != Count)
                throw new DeepscopeException($"field '{name}' has {(t.dim() == 0 ? 0 : t.shape[0])} rows, the others {Count}");
        Fields = tensors.Select(p => new FieldSpec(p.Key, p.Value.dtype, p.Value.shape[1..])).ToList();
        Classes = classes ?? [];
    }

    /// <summary>Images and their class labels: fields <c>input</c> and <c>label</c>.</summary>
    public static TensorSource Labeled(LabeledImages images) =>
        new(new Dictionary<string, Tensor> { [Sources.Fields.Input] = images.Images, [Sources.Fields.Label] = images.Labels }, images.Classes);

    public long Count { get; }
    public IReadOnlyList<FieldSpec> Fields { get; }
    public IReadOnlyList<string> Classes { get; }

    /// <summary>A field's whole tensor (not a copy).</summary>
    public Tensor this[string name] => _tensors[name];

    public Batch Read(ReadOnlySpan<long> indices, int epoch)
    {
        using var index = tensor(indices.ToArray());
        return new Batch(_tensors.ToDictionary(p => p.Key, p => p.Value.index_select(0, index)));
    }
}
