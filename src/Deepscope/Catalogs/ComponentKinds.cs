using Deepscope.Data;
using Deepscope.Data.Generators;
using Deepscope.Embedding;
using Deepscope.Features;
using Deepscope.Learners;
using Deepscope.Models;
using Deepscope.Studies;

namespace Deepscope.Catalogs;

/// <summary>A kind of component and its catalog, as <c>deepscope list KIND</c> shows it.</summary>
public sealed record ComponentKind(string Name, string Description, IEnumerable<ICatalogEntry> Entries);

/// <summary>Every catalog of the project by kind (plural, as typed after <c>deepscope list</c>). A new kind is one line here.</summary>
public static class ComponentKinds
{
    public static IReadOnlyList<ComponentKind> All { get; } =
    [
        new("learners", "classical classifiers on feature matrices (classify --model, experiment 'learners')", LearnerCatalog.Catalog),
        new("models", "neural network architectures (train --model, experiment 'finetune')", ModelZoo.Catalog),
        new("extractors", "feature extractors (experiment 'features')", FeatureExtractors.Catalog),
        new("embedders", "embedding methods (embed --method, experiment 'embeddings')", Embedders.Catalog),
        new("datasets", "public image datasets (data download, --dataset)", Datasets.Catalog),
        new("studies", "research studies (experiment file 'study:')", StudyCatalog.Catalog),
        new("generators", "seeded synthetic data sets for tests and demos (data generate NAME)", GeneratorCatalog.Catalog),
        new("denoisers", "image denoisers (denoise --method, experiment 'methods')", Denoising.DenoiserCatalog.Catalog),
    ];

    public static IEnumerable<string> Names => All.Select(k => k.Name);

    public static ComponentKind Get(string name) =>
        All.FirstOrDefault(k => string.Equals(k.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new DeepscopeException($"unknown kind '{name}' (known: {string.Join(", ", Names)})");
}
