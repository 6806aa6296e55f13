using static TorchSharp.torch;

namespace Deepscope.Models;

/// <summary>
/// How a pretrained network wants its RGB input in [0, 1]: <c>(x - mean) / std</c> per channel, where the mean may be a
/// whole image (CNTK's ImageNet models subtract a per-pixel mean image). At other sizes than the mean image's, its
/// channel means <see cref="Mean"/> are used instead.
/// </summary>
public sealed record InputNormalization(float[] Mean, float[] Std)
{
    /// <summary>torchvision's ImageNet statistics.</summary>
    public static InputNormalization ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>A per-pixel mean (3, H, W) in [0, 1] units, or null.</summary>
    public float[]? MeanImage { get; init; }
    public int MeanImageHeight { get; init; }
    public int MeanImageWidth { get; init; }

    /// <summary>Normalises a float batch (N, 3, H, W); returns a new tensor.</summary>
    public Tensor Apply(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var std = tensor(Std).view(1, 3, 1, 1);
        var mean = MeanImage is not null && x.shape[2] == MeanImageHeight && x.shape[3] == MeanImageWidth
            ? tensor(MeanImage).view(1, 3, MeanImageHeight, MeanImageWidth)
            : tensor(Mean).view(1, 3, 1, 1);
        return ((x - mean) / std).MoveToOuterDisposeScope();
    }
}
