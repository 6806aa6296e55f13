using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// A batch of examples: named tensors that share their first dimension (<c>input</c>, <c>label</c>, <c>target</c>,
/// <c>mask</c>, <c>tokens</c>, ...; see <see cref="Fields"/>). Tensors keep the dtype their source gives them (uint8
/// images, int64 token ids, float32 targets). The batch owns its tensors.
/// </summary>
public sealed class Batch : IDisposable
{
    readonly Dictionary<string, Tensor> _tensors;

    public Batch(IReadOnlyDictionary<string, Tensor> tensors)
    {
        if (tensors.Count == 0) throw new ArgumentException("a batch needs at least one tensor", nameof(tensors));
        _tensors = new Dictionary<string, Tensor>(tensors, StringComparer.Ordinal);
        Count = _tensors.Values.First().shape[0];
        foreach (var (name, t) in _tensors)
            if (t.dim() == 0 || t.shape[0] != Count)
                throw new ArgumentException($"batch field '{name}' has shape ({string.Join(", ", t.shape)}), expected {Count} rows");
    }

    /// <summary>Examples in the batch.</summary>
    public long Count { get; }

    public IEnumerable<string> Names => _tensors.Keys;

    public bool Has(string name) => _tensors.ContainsKey(name);

    public Tensor this[string name] => _tensors.TryGetValue(name, out var t) ? t
        : throw new DeepscopeException($"the batch has no field '{name}' (it has: {string.Join(", ", _tensors.Keys)})");

    /// <summary>Moves every tensor out of the current dispose scope (for batches built on one thread and used on another).</summary>
    public Batch Detach()
    {
        foreach (var t in _tensors.Values) t.DetachFromDisposeScope();
        return this;
    }

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}

/// <summary>The field names that steps, metrics and sources agree on.</summary>
public static class Fields
{
    /// <summary>What the model reads: images (N, C, H, W), token ids (N, T), feature rows (N, D).</summary>
    public const string Input = "input";
    /// <summary>Class index per example (N) int64.</summary>
    public const string Label = "label";
    /// <summary>What the model should output for image-to-image or regression: clean images, per-pixel values.</summary>
    public const string Target = "target";
    /// <summary>Per-pixel class index (N, H, W) int64.</summary>
    public const string Mask = "mask";
    /// <summary>Token lengths (N) int64, for padded sequences.</summary>
    public const string Length = "length";
    /// <summary>Group per example (painting, particle, die) (N) int64: leave-one-group-out and per-group votes.</summary>
    public const string Group = "group";
}
