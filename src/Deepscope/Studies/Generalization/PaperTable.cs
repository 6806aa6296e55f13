namespace Deepscope.Studies.Generalization;

/// <summary>Zhang et al. (2017), Table 1: CIFAR-10 training and test accuracy (%) per model and regulariser setting.</summary>
static class PaperTable
{
    /// <summary>(model, randomisation, regulariser) to the paper's (train, test) accuracy in percent.</summary>
    static readonly Dictionary<(string, string, string), (double Train, double Test)> Figures = new()
    {
        [("inception-small", "true-labels", "crop+wd")] = (100.0, 89.05),
        [("inception-small", "true-labels", "crop")] = (100.0, 89.31),
        [("inception-small", "true-labels", "wd")] = (100.0, 86.03),
        [("inception-small", "true-labels", "none")] = (100.0, 85.75),
        [("inception-small", "random-labels", "none")] = (100.0, 9.78),
        [("inception-small-no-bn", "true-labels", "wd")] = (100.0, 83.00),
        [("inception-small-no-bn", "true-labels", "none")] = (100.0, 82.00),
        [("inception-small-no-bn", "random-labels", "none")] = (100.0, 10.12),
        [("alexnet-small", "true-labels", "crop+wd")] = (99.90, 81.22),
        [("alexnet-small", "true-labels", "crop")] = (99.82, 79.66),
        [("alexnet-small", "true-labels", "wd")] = (100.0, 77.36),
        [("alexnet-small", "true-labels", "none")] = (100.0, 76.07),
        [("alexnet-small", "random-labels", "none")] = (99.82, 9.86),
        [("mlp-3x512", "true-labels", "wd")] = (100.0, 53.35),
        [("mlp-3x512", "true-labels", "none")] = (100.0, 52.39),
        [("mlp-3x512", "random-labels", "none")] = (100.0, 10.48),
        [("mlp-1x512", "true-labels", "wd")] = (99.80, 50.39),
        [("mlp-1x512", "true-labels", "none")] = (100.0, 50.51),
        [("mlp-1x512", "random-labels", "none")] = (99.34, 10.61),
    };

    /// <summary>The paper's (train, test) accuracy in percent for a run, or null where the paper has no such row.</summary>
    public static (double Train, double Test)? Of(RunCell cell) =>
        Figures.TryGetValue((cell.Model, cell.Randomization, cell.Regularizer), out var f) ? f : null;
}
