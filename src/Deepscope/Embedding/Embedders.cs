using Deepscope.Catalogs;

namespace Deepscope.Embedding;

/// <summary>The embedding methods by command-line name, each with scikit-learn's defaults.</summary>
public static class Embedders
{
    public static Catalog<EmbeddingOptions> Catalog { get; } = new Catalog<EmbeddingOptions>("embedding method")
        .Add("pca", "principal component analysis (exact or randomized SVD)", () => new PcaOptions(), o => o)
        .Add("mds", "metric multidimensional scaling (SMACOF)", () => new MdsOptions(), o => o)
        .Add("isomap", "Isomap: geodesic distances on a k-nearest-neighbour graph", () => new IsomapOptions(), o => o)
        .Add("lle", "locally linear embedding", () => new LleOptions(), o => o)
        .Add("spectral", "spectral embedding (Laplacian eigenmaps)", () => new SpectralOptions(), o => o)
        .Add("tsne", "t-SNE (Barnes-Hut or FFT-interpolated gradients)", () => new TsneOptions(), o => o)
        .Add("umap", "UMAP", () => new UmapOptions(), o => o);

    public static IReadOnlyList<string> Names => Catalog.Names;

    /// <summary>The method's default options, with <paramref name="parameters"/> (name → text) applied.</summary>
    public static EmbeddingOptions Create(string method, IReadOnlyDictionary<string, string>? parameters = null) =>
        Catalog.Create(method, parameters);
}
