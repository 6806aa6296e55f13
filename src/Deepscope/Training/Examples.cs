using Deepscope.Data;
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
}
