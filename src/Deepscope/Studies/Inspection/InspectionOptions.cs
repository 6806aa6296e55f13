using Deepscope.Catalogs;

namespace Deepscope.Studies.Inspection;

/// <summary>How classes are balanced in training when the positive (bad) class is rare.</summary>
public enum ImbalanceHandling { None, Weights, Sampling }

/// <summary>
/// The inspection study (the Nexperia contest, seed section 4.1): a CNN fine-tuned to tell good from bad images, scored
/// by ROC AUC, a submission for an unlabelled test folder, and outlier scores fitted on good images only.
/// </summary>
public sealed record InspectionOptions
{
    [Param(Description = "training images: a folder of two class subfolders, or a CSV of path,label")]
    public string Data { get; init; } = "";
    [Param(Description = "unlabelled test folder (scored and written as a submission); none to skip")]
    public string? Test { get; init; }
    [Param(Description = "CSV id,label of the test images (1 = positive), to score the test predictions; none when unknown")]
    public string? TestLabels { get; init; }
    [Param(Description = "the positive (bad) class: a class folder name")]
    public string PositiveClass { get; init; } = "bad_1";

    [Param(Description = "model-zoo architecture fine-tuned as the classifier")]
    public string Model { get; init; } = "resnet18";
    [Param(Description = "pretrained weights (.pth/.safetensors, e.g. ImageNet's); without them the model trains from scratch, unless it ships with its own (resnet18-cntk)")]
    public string? Weights { get; init; }
    [Param(Min = 16, Max = 1024, Description = "images are resized to this square size for the model")]
    public int ImageSize { get; init; } = 112;
    [Param(Min = 1, Max = 1000)] public int Epochs { get; init; } = 6;
    [Param(Min = 1, Max = 4096)] public int BatchSize { get; init; } = 32;
    [Param(Min = 0, Description = "AdamW learning rate (the pretrained body's is a tenth of it)")]
    public double LearningRate { get; init; } = 2e-3;
    [Param(Description = "class balance in training: none, weights (loss weights inverse to class frequency) or sampling (classes drawn equally)")]
    public ImbalanceHandling Imbalance { get; init; } = ImbalanceHandling.Weights;
    [Param(Description = "training augmentation: crop[=PADDING], flip, comma-separated, or none")]
    public string Augment { get; init; } = "crop=8,flip";
    [Param(Description = "test-time augmentation: average the probabilities of the image and its horizontal and vertical flips")]
    public bool Tta { get; init; } = true;

    [Param(Min = 0, Max = 0.9, Description = "stratified hold-out fraction for validation (used when folds < 2)")]
    public double Validation { get; init; } = 0.1;
    [Param(Min = 0, Max = 20, Description = "stratified k-fold cross-validation: k models, test probabilities averaged (0 or 1: one hold-out split)")]
    public int Folds { get; init; }

    /// <summary>The hold-out fraction in use: a validation of 0 falls back to the default, since a model picks its best epoch on held-out images.</summary>
    public double HoldOutFraction => Validation > 0 ? Validation : new InspectionOptions().Validation;

    [Param(Description = "classical learner trained on the CNN's features (logreg, svm-linear, rf, ...); none to skip")]
    public string? Learner { get; init; } = "logreg";
    [Param(Description = "outlier scores fitted on good training images only: mahalanobis, knn, autoencoder")]
    public string[] Outliers { get; init; } = ["mahalanobis", "knn", "autoencoder"];
    [Param(Min = 1, Max = 1000, Description = "autoencoder training epochs (outlier score 'autoencoder')")]
    public int AutoencoderEpochs { get; init; } = 8;
    [Param(Description = "embedding of the test features for the picture (tsne, umap, ...); none to skip")]
    public string? Embedding { get; init; } = "tsne";
    [Param(Min = 0, Max = 1, Description = "probability of the positive class from which an image is called positive (confusion matrix)")]
    public double Threshold { get; init; } = 0.5;
    [Param(Min = 0, Max = 100, Description = "worst-classified and most anomalous images shown")]
    public int Shown { get; init; } = 16;
    [Param(Min = 10, Max = 100000, Description = "bootstrap resamples of the AUC interval")]
    public int Bootstrap { get; init; } = 1000;
}
