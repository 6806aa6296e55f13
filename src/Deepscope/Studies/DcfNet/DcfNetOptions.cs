using Deepscope.Catalogs;

namespace Deepscope.Studies.DcfNet;

/// <summary>
/// The DCFNet study's grid: every dataset x (the regular network, then its DCF version for each K), all trained with
/// the same budget and seed. Grey-scale datasets use <see cref="GrayModel"/>, colour ones <see cref="ColorModel"/>.
/// </summary>
public sealed record DcfNetOptions
{
    [Param(Description = "datasets (mnist, fashion-mnist, cifar10, ...)")]
    public string[] Datasets { get; init; } = ["mnist", "fashion-mnist", "cifar10"];

    [Param(Description = "regular network for 1-channel datasets (its 3x3/5x5 convolutions are decomposed)")]
    public string GrayModel { get; init; } = "lenet";

    [Param(Description = "regular network for 3-channel datasets")]
    public string ColorModel { get; init; } = "resnet18_cifar";

    [Param(Description = "numbers of Fourier-Bessel bases K per kernel, or max (all: 6 for 3x3, 14 for 5x5)")]
    public string[] BasisCounts { get; init; } = ["3", "max"];

    [Param(Description = "learn the bases too (initialised as Fourier-Bessel); the report then plots the learned bases")]
    public bool LearnableBases { get; init; }

    [Param(Min = 1, Description = "training epochs, the same for every network")]
    public int Epochs { get; init; } = 10;

    [Param(Min = 1, Description = "mini-batch size")]
    public int BatchSize { get; init; } = 128;

    [Param(Min = 0, Description = "SGD learning rate (momentum 0.9, weight decay 5e-4, cosine schedule)")]
    public double LearningRate { get; init; } = 0.05;

    [Param(Min = 0, Description = "train on the first N training images (0: all)")]
    public long TrainLimit { get; init; }

    [Param(Min = 0, Description = "test on the first N test images (0: all)")]
    public long TestLimit { get; init; }

    [Param(Description = "random crop (padding 4) and horizontal flip for 3-channel datasets")]
    public bool AugmentColor { get; init; } = true;

    [Param(Min = 1, Description = "test images the stability measures use")]
    public int StabilityImages { get; init; } = 500;

    [Param(Min = 0, Description = "largest displacement of the smooth deformation, in pixels")]
    public double DeformationPixels { get; init; } = 1.5;

    [Param(Min = 0, Max = 180, Description = "rotation of the input, in degrees")]
    public double RotationDegrees { get; init; } = 10;
}
