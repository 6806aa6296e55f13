using static TorchSharp.torch;

namespace Deepscope.Embedding;

/// <summary>
/// A fitted low-dimensional embedding: the coordinates (N, d), the method and the settings it ran with, and what the
/// method learned about the fit (explained variance, KL divergence, stress...), for titles and run records.
/// </summary>
public sealed class EmbeddingResult
{
    public EmbeddingResult(float[,] points, string method, string settings, IReadOnlyDictionary<string, double> diagnostics, TimeSpan elapsed)
    {
        Points = points;
        Method = method;
        Settings = settings;
        Diagnostics = diagnostics;
        Elapsed = elapsed;
    }

    /// <summary>Coordinates, one row per sample.</summary>
    public float[,] Points { get; }
    public int Count => Points.GetLength(0);
    public int Dimensions => Points.GetLength(1);
    /// <summary>Display name, e.g. "t-SNE".</summary>
    public string Method { get; }
    /// <summary>The settings a reader needs to reproduce the figure, e.g. "perplexity 30, lr auto (104), 1000 iter".</summary>
    public string Settings { get; }
    /// <summary>Method-specific figures of the fit (e.g. <c>kl_divergence</c>, <c>explained_variance_ratio_1</c>).</summary>
    public IReadOnlyDictionary<string, double> Diagnostics { get; }
    public TimeSpan Elapsed { get; }

    /// <summary>The coordinates as a (N, d) float32 tensor.</summary>
    public Tensor ToTensor()
    {
        var flat = new float[Points.Length];
        Buffer.BlockCopy(Points, 0, flat, 0, flat.Length * sizeof(float));
        return tensor(flat, [Count, Dimensions]);
    }

    internal static float[,] FromRowMajor(double[] values, int n, int d)
    {
        var points = new float[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) points[i, j] = (float)values[i * d + j];
        return points;
    }

    internal static float[,] FromTensor(Tensor t)
    {
        using var f = t.to_type(ScalarType.Float32).contiguous();
        var flat = f.data<float>().ToArray();
        var points = new float[f.shape[0], f.shape[1]];
        Buffer.BlockCopy(flat, 0, points, 0, flat.Length * sizeof(float));
        return points;
    }
}
