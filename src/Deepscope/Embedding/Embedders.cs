namespace Deepscope.Embedding;

/// <summary>The embedding methods by command-line name, each with scikit-learn's defaults.</summary>
public static class Embedders
{
    static readonly Dictionary<string, Func<EmbeddingOptions>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["pca"] = () => new PcaOptions(),
        ["mds"] = () => new MdsOptions(),
        ["isomap"] = () => new IsomapOptions(),
        ["lle"] = () => new LleOptions(),
        ["spectral"] = () => new SpectralOptions(),
        ["tsne"] = () => new TsneOptions(),
        ["umap"] = () => new UmapOptions(),
    };

    public static IReadOnlyList<string> Names { get; } = [.. Factories.Keys];

    /// <summary>The method's default options, with <paramref name="parameters"/> (name → text) applied.</summary>
    public static EmbeddingOptions Create(string method, IReadOnlyDictionary<string, string>? parameters = null)
    {
        if (!Factories.TryGetValue(method.Trim(), out var factory))
            throw new DeepscopeException($"unknown embedding method '{method}' (known: {string.Join(", ", Names)})");
        var options = factory();
        return parameters is { Count: > 0 } ? options.With(parameters) : options;
    }
}
