using Deepscope.Catalogs;
using Deepscope.Data.Generators;

namespace Deepscope.Segmentation;

/// <summary>Per-pixel losses a segmenter trains with.</summary>
public enum SegmentationLoss
{
    /// <summary>Plain per-pixel cross-entropy.</summary>
    Ce,
    /// <summary>Cross-entropy with class weights sqrt(f_background / f_c) from the training patches' class frequencies (at most 50).</summary>
    WeightedCe,
    /// <summary>Soft Dice over all classes.</summary>
    Dice,
    /// <summary>Focal loss (gamma from <see cref="SegmenterOptions.FocalGamma"/>) with the same class weights.</summary>
    Focal,
    /// <summary>Weighted cross-entropy plus Dice.</summary>
    WeightedCeDice,
}

/// <summary>How a segmenter of huge images is trained: data, encoder, patches, loss and optimisation.</summary>
public sealed record SegmenterOptions
{
    [Param(Description = "training data: a folder with images/ and masks/ (matched by name; masks hold class indices)")]
    public string Data { get; init; } = "";
    [Param(Description = "validation data laid out as --data, scored on patches after each epoch; none to skip")]
    public string? Validation { get; init; }
    [Param(Description = "class names, index = mask value (the first is the background)")]
    public string[] Classes { get; init; } = [.. GlassClasses.Names];
    [Param(Description = "encoder: scattering, resnet18, vgg16, dcf-scattering, dcf-resnet18, dcf-vgg16")]
    public string Encoder { get; init; } = "resnet18";
    [Param(Description = "torchvision ImageNet weights (.pth/.safetensors of resnet18 or vgg16) for the encoder; none: from scratch")]
    public string? Weights { get; init; }
    [Param(Min = 1, Max = 14, Description = "Fourier-Bessel bases per convolution of a DCF encoder")]
    public int DcfK { get; init; } = 3;
    [Param(Min = 16, Max = 2048, Description = "training patch side in pixels")]
    public int PatchSize { get; init; } = 128;
    [Param(Min = 1, Description = "patches drawn per epoch")]
    public int PatchesPerEpoch { get; init; } = 1024;
    [Param(Min = 1, Description = "validation patches (a fixed seeded draw)")]
    public int ValidationPatches { get; init; } = 256;
    [Param(Min = 0, Max = 1, Description = "fraction of patches centred near a defect (classes drawn equally)")]
    public double DefectFraction { get; init; } = 0.7;
    [Param(Min = 1, Max = 10000)] public int Epochs { get; init; } = 10;
    [Param(Min = 1, Max = 1024)] public int BatchSize { get; init; } = 8;
    [Param(Min = 0, Description = "AdamW learning rate (cosine schedule)")]
    public double LearningRate { get; init; } = 2e-3;
    [Param(Description = "loss: ce, weighted_ce, dice, focal, weighted_ce_dice")]
    public SegmentationLoss Loss { get; init; } = SegmentationLoss.WeightedCeDice;
    [Param(Min = 0, Max = 10, Description = "focal loss exponent")]
    public double FocalGamma { get; init; } = 2;
}
