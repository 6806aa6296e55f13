using System.Globalization;
using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>
/// Random training augmentation applied to a whole float batch (N, C, H, W) at once: a random crop after zero padding
/// by <see cref="CropPadding"/> pixels on each side (torchvision's RandomCrop(size, padding)) and a horizontal flip with
/// probability 1/2. All randomness comes from the generator passed in, so a run's augmentation is reproducible.
/// </summary>
public sealed record Augmentation(int CropPadding = 0, bool HorizontalFlip = false)
{
    public static Augmentation None { get; } = new();

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsNone => CropPadding == 0 && !HorizontalFlip;

    /// <summary>Parses "crop,flip", "crop=2" or "none" (crop's padding defaults to 4, the usual CIFAR setting).</summary>
    public static Augmentation Parse(string? text)
    {
        var result = None;
        if (string.IsNullOrWhiteSpace(text) || text.Trim() == "none") return result;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (name, value) = part.Split('=', 2) is [var n, var v] ? (n, v) : (part, null);
            result = name switch
            {
                "crop" => result with { CropPadding = value is null ? 4 : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p
                    : throw new DeepscopeException($"augmentation 'crop={value}': padding must be a positive integer") },
                "flip" when value is null => result with { HorizontalFlip = true },
                _ => throw new DeepscopeException($"unknown augmentation '{part}'; use crop[=PADDING], flip or none, comma-separated"),
            };
        }
        return result;
    }

    public override string ToString() =>
        IsNone ? "none" : string.Join(",", new[] { CropPadding > 0 ? $"crop={CropPadding}" : null, HorizontalFlip ? "flip" : null }.OfType<string>());

    public void Validate()
    {
        if (CropPadding < 0) throw new DeepscopeException($"crop padding must be >= 0, got {CropPadding}");
    }

    /// <summary>Augments a float batch (N, C, H, W); returns a new tensor (the input is left as is).</summary>
    public Tensor Apply(Tensor batch, Generator generator)
    {
        if (batch.dim() != 4) throw new ArgumentException($"augmentation expects (N, C, H, W), got ({string.Join(", ", batch.shape)})");
        using var scope = NewDisposeScope();
        long n = batch.shape[0], c = batch.shape[1], h = batch.shape[2], w = batch.shape[3];
        var x = batch.alias();
        if (CropPadding > 0)
        {
            int p = CropPadding;
            var padded = nn.functional.pad(x, [p, p, p, p]);
            // Per-image offsets in [0, 2p]; two gathers pick rows then columns of each image's window.
            var dy = randint(0, 2 * p + 1, [n, 1, 1, 1], dtype: ScalarType.Int64, generator: generator);
            var dx = randint(0, 2 * p + 1, [n, 1, 1, 1], dtype: ScalarType.Int64, generator: generator);
            var rows = (dy + arange(h).view(1, 1, h, 1)).expand(n, c, h, w + 2 * p);
            var cols = (dx + arange(w).view(1, 1, 1, w)).expand(n, c, h, w);
            x = padded.gather(2, rows).gather(3, cols);
        }
        if (HorizontalFlip)
        {
            var flip = rand([n], generator: generator).lt(0.5).view(n, 1, 1, 1);
            x = where(flip, x.flip(3), x);
        }
        return x.contiguous().MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Turns stored images into model input: uint8 to float in [0, 1], grey to RGB when the model wants 3 channels,
/// optional centre crop, optional bilinear resize, then per-channel normalisation ((x - mean) / std) or per-image
/// standardisation. Recorded in the run so evaluation prepares images exactly as training did.
/// </summary>
public sealed record InputTransform(float[] Mean, float[] Std, long Channels, long ImageSize)
{
    /// <summary>The ImageNet statistics torchvision's pretrained models expect.</summary>
    public static InputTransform ImageNet(long imageSize) => new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f], 3, imageSize);

    /// <summary>
    /// Zhang et al.'s (2017) input: the central <paramref name="crop"/> x <paramref name="crop"/> window (28 for CIFAR's
    /// 32x32), each image standardised by its own mean and deviation.
    /// </summary>
    public static InputTransform CentreCropPerImage(long crop, long channels = 3) => new([], [], channels, crop) { CropSize = crop, PerImage = true };

    /// <summary>Centre crop larger images to this size before resizing (0: no crop).</summary>
    public long CropSize { get; init; }

    /// <summary>
    /// Standardise each image by its own mean and standard deviation over all its values, the deviation floored at
    /// 1/sqrt(values) (TensorFlow's <c>per_image_standardization</c>), instead of <see cref="Mean"/> and <see cref="Std"/>.
    /// </summary>
    public bool PerImage { get; init; }

    /// <summary>Per-channel mean and standard deviation of a training set (in [0, 1] units), computed in float64.</summary>
    public static InputTransform FromData(Tensor images, long? channels = null, long? imageSize = null)
    {
        using var scope = NewDisposeScope();
        var x = images.dtype == ScalarType.Byte ? images.to_type(ScalarType.Float64).div_(255) : images.to_type(ScalarType.Float64);
        var mean = x.mean([0, 2, 3]).to_type(ScalarType.Float32).data<float>().ToArray();
        var std = x.std([0, 2, 3], unbiased: false).to_type(ScalarType.Float32).data<float>().ToArray();
        if (std.Any(s => !(s > 0))) throw new DeepscopeException("a training image channel is constant (standard deviation 0): cannot normalise");
        long c = channels ?? images.shape[1];
        if (c != mean.Length)
        {
            if (mean.Length != 1) throw new DeepscopeException($"cannot feed {mean.Length}-channel images to a {c}-channel model");
            (mean, std) = (Enumerable.Repeat(mean[0], (int)c).ToArray(), Enumerable.Repeat(std[0], (int)c).ToArray());
        }
        return new InputTransform(mean, std, c, imageSize ?? images.shape[2]);
    }

    /// <summary>Floats in [0, 1] with the model's channels and size, before normalisation (augmentation works here).</summary>
    public Tensor ToUnitFloat(Tensor batch)
    {
        using var scope = NewDisposeScope();
        // A copy even for float input: Normalize works in place and must not touch the caller's images.
        var x = batch.dtype == ScalarType.Byte ? batch.to_type(ScalarType.Float32).div_(255f) : batch.to_type(ScalarType.Float32, copy: true);
        if (x.shape[1] != Channels)
        {
            if (x.shape[1] != 1) throw new DeepscopeException($"images have {x.shape[1]} channels but the model expects {Channels}");
            x = x.expand(-1, Channels, -1, -1);
        }
        if (CropSize > 0 && (x.shape[2] > CropSize || x.shape[3] > CropSize))
            x = x.narrow(2, (x.shape[2] - CropSize) / 2, Math.Min(CropSize, x.shape[2])).narrow(3, (x.shape[3] - CropSize) / 2, Math.Min(CropSize, x.shape[3]));
        if (x.shape[2] != ImageSize || x.shape[3] != ImageSize)
            x = nn.functional.interpolate(x, [ImageSize, ImageSize], mode: InterpolationMode.Bilinear, align_corners: false);
        return x.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Normalises a [0, 1] batch in place and returns it.</summary>
    public Tensor Normalize(Tensor unitBatch)
    {
        if (PerImage)
        {
            long values = unitBatch.shape[1] * unitBatch.shape[2] * unitBatch.shape[3];
            using var scope = NewDisposeScope();
            var (imageStd, imageMean) = std_mean(unitBatch, [1, 2, 3], unbiased: false, keepdim: true);
            unitBatch.sub_(imageMean).div_(imageStd.clamp_min_(1 / Math.Sqrt(values)));
            return unitBatch;
        }
        using var mean = tensor(Mean).view(1, -1, 1, 1);
        using var std = tensor(Std).view(1, -1, 1, 1);
        return unitBatch.sub_(mean).div_(std);
    }

    /// <summary>Model input for evaluation: <see cref="ToUnitFloat"/> then <see cref="Normalize"/>.</summary>
    public Tensor Apply(Tensor batch) => Normalize(ToUnitFloat(batch));
}
