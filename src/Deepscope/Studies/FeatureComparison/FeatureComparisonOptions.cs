using Deepscope.Experiments;

namespace Deepscope.Studies.FeatureComparison;

/// <summary>A dataset of the experiment and how much of it to use (null: all).</summary>
public sealed record DatasetSelection(string Name, int? TrainSubset = null, int? TestSubset = null);

/// <summary>A feature extractor: <c>pixels</c>, <c>scattering</c> or <c>cnn</c>, with its settings as written.</summary>
public sealed record FeatureSpec(string Kind, IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>A short stable name for tables and the cache key: kind plus sorted settings.</summary>
    public string Label => Settings.Count == 0 ? Kind
        : $"{Kind}({string.Join(", ", Settings.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))})";
}

/// <summary>Which embeddings to draw, of which split, on how many samples; per-method parameters.</summary>
public sealed record EmbeddingPlan(IReadOnlyList<string> Methods, string Split = "test", int Samples = 2000,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? Params = null);

/// <summary>A learner and its parameter grid (one value per key means a fixed setting).</summary>
public sealed record LearnerSpec(string Name, IReadOnlyDictionary<string, IReadOnlyList<string>> Grid);

/// <summary>
/// Optional fine-tuning of a CNN (a <see cref="Models.ModelZoo"/> name), reported beside the feature x learner table:
/// from pretrained <see cref="Weights"/> with a new head, or without weights trained from scratch (mode "full").
/// <see cref="ImageSize"/> resizes the images (default: the dataset's size).
/// </summary>
public sealed record FinetuneSpec(string Model, string? Weights, string Mode = "linear-probe", int Epochs = 3,
    double LearningRate = 0.01, int BatchSize = 128, int? ImageSize = null);

/// <summary>
/// The feature-comparison study (Project 1): datasets x feature extractors, each feature set embedded and classified
/// by every learner (grid-searched by cross-validation when a parameter lists several values), optionally a CNN
/// fine-tuned on the images.
/// </summary>
public sealed record FeatureComparisonOptions
{
    public IReadOnlyList<DatasetSelection> Datasets { get; init; } = [];
    public IReadOnlyList<FeatureSpec> Features { get; init; } = [];
    public EmbeddingPlan? Embeddings { get; init; }
    public IReadOnlyList<LearnerSpec> Learners { get; init; } = [];
    public int CrossValidationFolds { get; init; } = 3;
    public bool Scale { get; init; } = true;
    public int? Pca { get; init; }
    public FinetuneSpec? Finetune { get; init; }

    /// <summary>Reads the study's keys of an experiment file (the host has read study, name, seed and data_dir).</summary>
    public static FeatureComparisonOptions FromYaml(YamlMap root) => FeatureComparisonFile.Read(root);
}
