using Deepscope.Models;
using static TorchSharp.torch;

namespace Deepscope.Features.Cnn;

/// <summary>
/// torchvision's ImageNet recipe on batches of images in [0, 1]: grayscale replicated to three channels, an optional
/// antialiased bilinear resize of the shorter side (transforms.Resize(n)), an optional centre crop
/// (transforms.CenterCrop(n)), then normalisation: by the ImageNet mean and standard deviation unless the model's
/// weights came with their own (<see cref="Normalization"/>).
/// </summary>
public sealed record ImageNetPreprocessing(int? Resize = null, int? CenterCrop = null)
{
    public static readonly float[] Mean = InputNormalization.ImageNet.Mean;
    public static readonly float[] Std = InputNormalization.ImageNet.Std;

    public InputNormalization Normalization { get; init; } = InputNormalization.ImageNet;

    public void Validate()
    {
        if (Resize is < 1) throw new DeepscopeException($"resize must be at least 1 pixel, got {Resize}");
        if (CenterCrop is < 1) throw new DeepscopeException($"center crop must be at least 1 pixel, got {CenterCrop}");
    }

    /// <summary>The (height, width) an image of (h, w) has after resizing and cropping.</summary>
    public (long Height, long Width) OutputSize(long height, long width)
    {
        var (h, w) = ResizedSize(height, width);
        if (CenterCrop is not { } c) return (h, w);
        if (c > h || c > w) throw new DeepscopeException($"center crop {c} is larger than the {h}x{w} image{(Resize is null ? "" : " after resizing")}");
        return (c, c);
    }

    /// <summary>
    /// Images (N, H, W), (N, 1, H, W) or (N, 3, H, W), float in [0, 1] or uint8 (scaled by 1/255), to a normalised
    /// float32 batch (N, 3, H', W').
    /// </summary>
    public Tensor Apply(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = images.dtype == ScalarType.Byte ? images.to_type(ScalarType.Float32).div_(255f) : images.to_type(ScalarType.Float32);
        if (x.dim() == 3) x = x.unsqueeze(1);
        if (x.dim() != 4 || x.shape[1] is not (1 or 3))
            throw new DeepscopeException($"images must be (N, H, W), (N, 1, H, W) or (N, 3, H, W); got ({string.Join(", ", images.shape)})");
        if (x.shape[1] == 1) x = x.expand(-1, 3, -1, -1);
        var (h, w) = ResizedSize(x.shape[2], x.shape[3]);
        if (h != x.shape[2] || w != x.shape[3])
            x = nn.functional.interpolate(x, [h, w], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        if (CenterCrop is { } c)
        {
            OutputSize(x.shape[2], x.shape[3]);
            // torchvision rounds the offset half to even, as Math.Round does.
            long top = (long)Math.Round((h - c) / 2.0), left = (long)Math.Round((w - c) / 2.0);
            x = x.narrow(2, top, c).narrow(3, left, c);
        }
        return Normalization.Apply(x).contiguous().MoveToOuterDisposeScope();
    }

    (long Height, long Width) ResizedSize(long height, long width)
    {
        if (Resize is not { } size) return (height, width);
        // transforms.Resize(size): the shorter side becomes size, the longer keeps the aspect ratio (truncated).
        return height <= width ? (size, (long)(size * (double)width / height)) : ((long)(size * (double)height / width), size);
    }
}
