using Deepscope.Catalogs;
using Deepscope.Segmentation;

namespace Deepscope.Studies.Glass;

/// <summary>
/// The glass study (seed section 2.1): pixel-wise defect segmentation of huge line-camera images of smartphone glass,
/// comparing encoders for accuracy and speed. The lab's scans are private; <c>deepscope data generate glass</c>
/// writes synthetic plates that stand in for them.
/// </summary>
public sealed record GlassStudyOptions
{
    [Param(Description = "training folder with images/ and masks/ (class indices)")] public string Data { get; init; } = "";
    [Param(Description = "validation folder, scored on patches each epoch to keep the best epoch")] public string Validation { get; init; } = "";
    [Param(Description = "test folder: whole images predicted tile by tile and scored")] public string Test { get; init; } = "";
    [Param(Description = "class names, index = mask value (the first is the background)")] public string[] Classes { get; init; } = [.. Deepscope.Data.Generators.GlassClasses.Names];
    [Param(Description = "encoders compared (scattering, resnet18, vgg16, dcf-scattering, dcf-resnet18, dcf-vgg16)")]
    public string[] Encoders { get; init; } = ["scattering", "resnet18", "vgg16", "dcf-resnet18"];
    [Param(Description = "torchvision ImageNet weights of resnet18 (resnet18-f37072fd.pth) for the resnet18 encoder; none: from scratch")]
    public string? Resnet18Weights { get; init; }
    [Param(Description = "torchvision ImageNet weights of vgg16 (vgg16-397923af.pth) for the vgg16 encoder; none: from scratch")]
    public string? Vgg16Weights { get; init; }
    [Param(Min = 1, Max = 14, Description = "Fourier-Bessel bases per convolution of the DCF encoders")] public int DcfK { get; init; } = 3;

    [Param(Min = 16, Max = 2048)] public int PatchSize { get; init; } = 128;
    [Param(Min = 1)] public int PatchesPerEpoch { get; init; } = 512;
    [Param(Min = 1)] public int ValidationPatches { get; init; } = 128;
    [Param(Min = 0, Max = 1)] public double DefectFraction { get; init; } = 0.7;
    [Param(Min = 1, Max = 10000)] public int Epochs { get; init; } = 8;
    [Param(Min = 1, Max = 1024)] public int BatchSize { get; init; } = 8;
    [Param(Min = 0)] public double LearningRate { get; init; } = 2e-3;
    [Param(Description = "loss: ce, weighted_ce, dice, focal, weighted_ce_dice")] public SegmentationLoss Loss { get; init; } = SegmentationLoss.WeightedCeDice;

    [Param(Min = 16, Description = "tile core side for prediction (a multiple of every encoder's stride)")] public int Tile { get; init; } = TiledPredictor.DefaultTile;
    [Param(Min = 1, Description = "defects at least this many pixels across count for defect-level recall (10 microns at 0.5 micron/pixel)")]
    public int MinDefectSize { get; init; } = MaskEvaluation.DefaultMinDefectSize;
    [Param(Min = 0)] public double MicronsPerPixel { get; init; } = MaskEvaluation.DefaultMicronsPerPixel;
    [Param(Min = 0, Max = 64, Description = "image crops shown with each encoder's predictions")] public int Crops { get; init; } = 6;

    /// <summary>The training options of one encoder's segmenter.</summary>
    public SegmenterOptions Training(string encoder, Func<string, string> resolve) => new()
    {
        Weights = (encoder switch { "resnet18" => Resnet18Weights, "vgg16" => Vgg16Weights, _ => null }) is { } weights ? resolve(weights) : null,
        Data = resolve(Data), Validation = Validation.Length == 0 ? null : resolve(Validation), Classes = Classes, Encoder = encoder, DcfK = DcfK,
        PatchSize = PatchSize, PatchesPerEpoch = PatchesPerEpoch, ValidationPatches = ValidationPatches, DefectFraction = DefectFraction,
        Epochs = Epochs, BatchSize = BatchSize, LearningRate = LearningRate, Loss = Loss,
    };
}
