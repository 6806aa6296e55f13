using Deepscope.Catalogs;

namespace Deepscope.Studies.Generalization;

/// <summary>
/// The generalization study (Zhang et al. 2017; Poggio et al. 2018): randomisation tests, the paper's Table 1 and a
/// model-complexity sweep on CIFAR-10. Training follows the paper's appendix: SGD with momentum 0.9, a learning rate
/// decayed by 0.95 every epoch, batches of 128, 28x28 centre crops standardised per image.
/// </summary>
public sealed record GeneralizationOptions
{
    [Param(Description = "data set (CIFAR-10 in the paper)")]
    public string Dataset { get; init; } = "cifar10";

    [Param(Min = 0, Description = "train on the first N training images (0: all)")]
    public int TrainSubset { get; init; }

    [Param(Min = 0, Description = "evaluate on the first N test images (0: all)")]
    public int TestSubset { get; init; }

    [Param(Description = "models of the randomisation tests (figure 1): inception-small, inception-small-no-bn, alexnet-small, mlp-1x512, mlp-3x512")]
    public string[] RandomizationModels { get; init; } = ["inception-small", "alexnet-small", "mlp-1x512"];

    [Param(Description = "randomisation tests: true-labels, labels:P, random-labels, shuffled-pixels, random-pixels, gaussian")]
    public string[] Randomizations { get; init; } =
        ["true-labels", "labels:0.2", "labels:0.4", "labels:0.6", "labels:0.8", "random-labels", "shuffled-pixels", "random-pixels", "gaussian"];

    [Param(Description = "models of table 1 (true labels, each regulariser setting; random labels without regularisers)")]
    public string[] TableModels { get; init; } = ["inception-small", "inception-small-no-bn", "alexnet-small", "mlp-3x512", "mlp-1x512"];

    [Param(Description = "regulariser settings of table 1: none, crop, wd, dropout, or several joined by '+' (crop+wd)")]
    public string[] Regularizers { get; init; } = ["crop+wd", "crop", "wd", "none"];

    [Param(Min = 1, Description = "most epochs of a randomisation or table run (it stops earlier at zero training error)")]
    public int Epochs { get; init; } = 100;

    [Param(Min = 0.5, Max = 1, Description = "training accuracy (over an epoch) that counts as zero training error and stops a run")]
    public double FitThreshold { get; init; } = 1.0;

    [Param(Min = 1, Description = "mini-batch size")]
    public int BatchSize { get; init; } = 128;

    [Param(Min = 1e-6, Description = "initial learning rate of every model but Inception")]
    public double LearningRate { get; init; } = 0.01;

    [Param(Min = 1e-6, Description = "initial learning rate of the Inception models")]
    public double InceptionLearningRate { get; init; } = 0.1;

    [Param(Min = 0, Max = 1, Description = "SGD momentum")]
    public double Momentum { get; init; } = 0.9;

    [Param(Min = 0.01, Max = 1, Description = "learning-rate factor per epoch")]
    public double LearningRateDecay { get; init; } = 0.95;

    [Param(Min = 0, Description = "training images between two learning-rate decays (0: one epoch, whatever the subset; 50000 gives a subset the full training set's decay per step)")]
    public int LearningRateDecayImages { get; init; }

    [Param(Min = 0, Description = "weight decay of the 'wd' regulariser")]
    public double WeightDecay { get; init; } = 5e-4;

    [Param(Min = 1, Description = "random crop regulariser: the 28x28 window moves by up to this many pixels")]
    public int CropShift { get; init; } = 2;

    [Param(Min = 0, Max = 0.95, Description = "dropout rate of the 'dropout' regulariser (before the last layer)")]
    public double Dropout { get; init; } = 0.5;

    [Param(Description = "widths of the complexity sweep's CNN family (four 3x3 conv layers of k, k, 2k, 2k channels)")]
    public int[] SweepWidths { get; init; } = [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64];

    [Param(Description = "batch norm in the sweep's CNN family (false: each convolution has a bias and nothing normalises; the run's model is then width-cnn-no-bn); the ResNets keep theirs")]
    public bool SweepBatchNorm { get; init; } = true;

    [Param(Description = "first-stage widths of the sweep's ResNet-18s (64 is the usual ResNet-18)")]
    public int[] SweepResnetWidths { get; init; } = [8, 16, 32, 64];

    [Param(Min = 1, Description = "epoch budget of a sweep run (it stops earlier at zero training error unless sweep_stop_at_fit is false)")]
    public int SweepEpochs { get; init; } = 60;

    [Param(Description = "stop a sweep run at its first epoch at the fit threshold (true), or train every size for the whole budget (false), so that sizes past interpolation keep training as in a fixed-epoch sweep")]
    public bool SweepStopAtFit { get; init; } = true;

    [Param(Min = 1e-6, Description = "initial learning rate of the sweep's models")]
    public double SweepLearningRate { get; init; } = 0.05;
}

/// <summary>A regulariser setting of table 1: any of random crops, weight decay and dropout.</summary>
public sealed record Regularizer(bool Crop, bool WeightDecay, bool Dropout)
{
    public static Regularizer None { get; } = new(false, false, false);

    public static Regularizer Parse(string text)
    {
        var result = None;
        if (text.Trim() == "none") return result;
        foreach (var part in text.Split('+', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            result = part switch
            {
                "crop" => result with { Crop = true },
                "wd" => result with { WeightDecay = true },
                "dropout" => result with { Dropout = true },
                _ => throw new DeepscopeException($"unknown regulariser '{part}' in '{text}'; use none, crop, wd, dropout or several joined by '+'"),
            };
        return result;
    }

    public override string ToString() => this == None ? "none"
        : string.Join("+", new[] { Crop ? "crop" : null, WeightDecay ? "wd" : null, Dropout ? "dropout" : null }.OfType<string>());
}
