using Deepscope.Data;
using Deepscope.Data.Sources;
using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>
/// Training or evaluation examples: <see cref="Inputs"/> (N, ...) as stored (uint8 images, float images or cached
/// float features) and <see cref="Labels"/> (N) int64 class indices. Does not own its tensors.
/// </summary>
public sealed record Examples(Tensor Inputs, Tensor Labels, IReadOnlyList<string> Classes)
{
    public long Count => Inputs.shape[0];

    public static Examples From(LabeledImages images) => new(images.Images, images.Labels, images.Classes);

    /// <summary>The examples as a source of batches with fields <c>input</c> and <c>label</c> (the tensors are shared, not copied).</summary>
    public TensorSource ToSource() => new(new Dictionary<string, Tensor> { [Fields.Input] = Inputs, [Fields.Label] = Labels }, Classes);

    public void Validate(string role)
    {
        if (Labels.dim() != 1 || Labels.shape[0] != Inputs.shape[0])
            throw new DeepscopeException($"{role} set: {Inputs.shape[0]} inputs but labels of shape ({string.Join(", ", Labels.shape)})");
        if (Count == 0) throw new DeepscopeException($"{role} set is empty");
        if (Labels.dtype != ScalarType.Int64) throw new DeepscopeException($"{role} labels must be int64 class indices, got {Labels.dtype}");
        using var min = Labels.min();
        using var max = Labels.max();
        if (min.item<long>() < 0 || max.item<long>() >= Classes.Count)
            throw new DeepscopeException($"{role} labels span {min.item<long>()}..{max.item<long>()} but there are {Classes.Count} classes");
    }

    /// <summary>
    /// A seeded split into (train, validation): <paramref name="fraction"/> of the examples (at least one), the first of
    /// <c>randperm(Count)</c> drawn from a generator seeded with <paramref name="seed"/>, are held out. The tensors are
    /// copies the caller disposes.
    /// </summary>
    public (Examples Train, Examples Validation) HoldOut(double fraction, long seed)
    {
        if (fraction is <= 0 or >= 1) throw new DeepscopeException($"the validation fraction must be in (0, 1), got {fraction}");
        long held = Math.Max(1, (long)Math.Round(Count * fraction));
        if (held >= Count) throw new DeepscopeException($"validation fraction {fraction} leaves no training images out of {Count}");
        using var g = new Generator(unchecked((ulong)seed));
        using var order = randperm(Count, generator: g);
        using var validation = order.narrow(0, 0, held);
        using var rest = order.narrow(0, held, Count - held);
        return (this with { Inputs = Inputs.index_select(0, rest), Labels = Labels.index_select(0, rest) },
                this with { Inputs = Inputs.index_select(0, validation), Labels = Labels.index_select(0, validation) });
    }
}
