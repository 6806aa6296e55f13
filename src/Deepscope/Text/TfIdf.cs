using Deepscope.Catalogs;
using static TorchSharp.torch;

namespace Deepscope.Text;

public sealed record TfIdfOptions
{
    [Param(Description = "features kept: the terms in most documents", Min = 1, Max = 100_000)]
    public int MaxFeatures { get; init; } = 3000;
    [Param(Description = "longest word n-gram (1: words only, 2: words and pairs)", Min = 1, Max = 3)]
    public int MaxNgram { get; init; } = 2;
    [Param(Description = "documents a term must occur in", Min = 1)]
    public int MinDocuments { get; init; } = 2;
}

/// <summary>
/// TF-IDF features of token lists as scikit-learn's <c>TfidfVectorizer(sublinear_tf=True)</c>: term counts
/// 1 + log(tf), times the smoothed idf ln((1 + n) / (1 + df)) + 1, each row scaled to unit L2 norm. Terms are the word
/// n-grams up to <see cref="TfIdfOptions.MaxNgram"/> in the most documents (ties in ordinal order).
/// </summary>
public sealed class TfIdf
{
    readonly Dictionary<string, int> _columns;

    public TfIdf(IReadOnlyList<string> terms, IReadOnlyList<float> idf, int maxNgram)
    {
        Terms = terms;
        Idf = idf;
        MaxNgram = maxNgram;
        _columns = terms.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Terms { get; }
    public IReadOnlyList<float> Idf { get; }
    public int MaxNgram { get; }

    public static TfIdf Fit(IReadOnlyList<IReadOnlyList<string>> documents, TfIdfOptions options)
    {
        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var document in documents)
            foreach (var term in NGrams(document, options.MaxNgram).Distinct()) frequency[term] = frequency.GetValueOrDefault(term) + 1;
        var kept = frequency.Where(f => f.Value >= options.MinDocuments).OrderByDescending(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal)
            .Take(options.MaxFeatures).ToList();
        if (kept.Count == 0) throw new DeepscopeException($"tf-idf: no term occurs in {options.MinDocuments} documents");
        return new TfIdf([.. kept.Select(k => k.Key)], [.. kept.Select(k => (float)(Math.Log((1.0 + documents.Count) / (1.0 + k.Value)) + 1))], options.MaxNgram);
    }

    /// <summary>The features (N, terms) float32.</summary>
    public Tensor Transform(IReadOnlyList<IReadOnlyList<string>> documents)
    {
        var x = new float[documents.Count * Terms.Count];
        for (int r = 0; r < documents.Count; r++)
        {
            var row = x.AsSpan(r * Terms.Count, Terms.Count);
            foreach (var group in NGrams(documents[r], MaxNgram).GroupBy(t => t))
                if (_columns.TryGetValue(group.Key, out int c)) row[c] = (float)(1 + Math.Log(group.Count())) * Idf[c];
            double norm = 0;
            foreach (var v in row) norm += v * v;
            if (norm > 0) foreach (ref var v in row) v = (float)(v / Math.Sqrt(norm));
        }
        return tensor(x).view(documents.Count, Terms.Count);
    }

    static IEnumerable<string> NGrams(IReadOnlyList<string> tokens, int maxNgram)
    {
        for (int n = 1; n <= maxNgram; n++)
            for (int i = 0; i + n <= tokens.Count; i++)
                yield return n == 1 ? tokens[i] : string.Join(' ', tokens.Skip(i).Take(n));
    }
}
