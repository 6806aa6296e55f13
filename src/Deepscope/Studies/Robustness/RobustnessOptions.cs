using Deepscope.Catalogs;

namespace Deepscope.Studies.Robustness;

/// <summary>
/// The robustness study's grid: one network per variant (plain, adversarially trained, Parseval, DCF), the same
/// architecture, budget and seed, each attacked at every eps by every attack and evaluated under high- and low-pass
/// Fourier noise.
/// </summary>
public sealed record RobustnessOptions
{
    [Param(Description = "dataset (mnist, fashion-mnist, cifar10, ...)")]
    public string Dataset { get; init; } = "mnist";

    [Param(Description = "regular network (the DCF variant decomposes its convolutions)")]
    public string Model { get; init; } = "lenet";

    [Param(Description = "variants: plain, adversarial, parseval, dcf")]
    public string[] Variants { get; init; } = ["plain", "adversarial", "parseval", "dcf"];

    [Param(Description = "DCF variant: Fourier-Bessel bases per kernel, or max")]
    public string DcfBases { get; init; } = "3";

    [Param(Min = 1, Description = "training epochs, the same for every variant")]
    public int Epochs { get; init; } = 3;

    [Param(Min = 1, Description = "mini-batch size")]
    public int BatchSize { get; init; } = 128;

    [Param(Min = 0, Description = "SGD learning rate (momentum 0.9, weight decay 5e-4, cosine schedule)")]
    public double LearningRate { get; init; } = 0.05;

    [Param(Min = 0, Description = "train on the first N training images (0: all)")]
    public long TrainLimit { get; init; }

    [Param(Min = 0, Description = "test on the first N test images (0: all)")]
    public long TestLimit { get; init; }

    [Param(Description = "adversarial variant: pgd, fgsm or fast-fgsm")]
    public string AdversarialMethod { get; init; } = "fast-fgsm";

    [Param(Min = 0, Description = "adversarial variant: training eps in pixels")]
    public double AdversarialEpsilon { get; init; } = 0.3;

    [Param(Min = 1, Description = "adversarial variant: PGD steps when the method is pgd")]
    public int AdversarialSteps { get; init; } = 40;

    [Param(Min = 0, Max = 0.5, Description = "Parseval variant: retraction beta")]
    public double ParsevalBeta { get; init; } = 3e-4;

    [Param(Min = 0, Max = 1, Description = "Parseval variant: fraction of rows sampled per step")]
    public double ParsevalRows { get; init; } = 1;

    [Param(Description = "budgeted attacks swept over eps: fgsm, pgd")]
    public string[] Attacks { get; init; } = ["fgsm", "pgd"];

    [Param(Description = "attack budgets (L-inf, pixels)")]
    public double[] Epsilons { get; init; } = [0, 0.05, 0.1, 0.2, 0.3];

    [Param(Min = 1, Description = "PGD steps")]
    public int PgdSteps { get; init; } = 40;

    [Param(Min = 0, Description = "PGD step size (0: 2.5 eps / steps)")]
    public double PgdStepSize { get; init; } = 0.01;

    [Param(Min = 1, Description = "test images attacked")]
    public int AttackImages { get; init; } = 500;

    [Param(Description = "L2 norms of the Fourier-masked noise")]
    public double[] NoiseNorms { get; init; } = [0, 1, 2, 4, 6, 8];

    [Param(Min = 0, Description = "noise band edge, in units of the Nyquist frequency (high-pass: above it; the low-pass control: below)")]
    public double NoiseCutoff { get; init; } = 0.5;

    [Param(Min = 1, Description = "test images under noise")]
    public int NoiseImages { get; init; } = 2000;
}
