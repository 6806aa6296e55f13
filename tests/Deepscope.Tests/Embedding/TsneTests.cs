using Deepscope.Embedding;
using static TorchSharp.torch;

namespace Deepscope.Tests.Embedding;

public class TsneTests
{
    [Theory]
    // FIt-SNE's defaults (3 nodes per box, 1 box per unit) and two refinements, whose errors must shrink.
    [InlineData(3, 1, 1e-2, 4e-2)]
    [InlineData(3, 4, 1e-4, 1e-3)]
    [InlineData(5, 1, 1e-4, 4e-3)]
    public void Fft_repulsion_matches_the_exact_sums(int nodes, double perUnit, double zTolerance, double forceTolerance) =>
        AssertMatchesExactSums(new FftRepulsion(nodes, 50, perUnit), TwoClusters(600), zTolerance, forceTolerance);

    [Theory]
    // scikit-learn's default angle, a stricter one, and one so small that every cell is opened: exact up to rounding.
    [InlineData(0.5, 1e-2, 3e-2)]
    [InlineData(0.2, 5e-4, 2e-3)]
    [InlineData(1e-9, 1e-12, 1e-12)]
    public void Barnes_hut_repulsion_matches_the_exact_sums(double angle, double zTolerance, double forceTolerance) =>
        AssertMatchesExactSums(new BarnesHutRepulsion(angle), TwoClusters(600), zTolerance, forceTolerance);

    [Fact]
    public void Barnes_hut_handles_coincident_points()
    {
        // 40 copies of one point and a few others: the tree stops splitting at its depth limit instead of recursing forever.
        var points = new double[2 * 50];
        for (int i = 40; i < 50; i++) { points[2 * i] = i; points[2 * i + 1] = -i; }
        AssertMatchesExactSums(new BarnesHutRepulsion(0.5), points, 1e-2, 5e-2);
    }

    static double[] TwoClusters(int n)
    {
        var g = new Generator(9);
        // Two clusters and a spread-out halo: extents like a t-SNE embedding mid-optimisation.
        using var y = cat([randn([n / 2, 2], ScalarType.Float64, generator: g) * 3, randn([n / 2, 2], ScalarType.Float64, generator: g) * 8 + 25]);
        return y.contiguous().data<double>().ToArray();
    }

    static void AssertMatchesExactSums(IRepulsion repulsion, double[] points, double zTolerance, double forceTolerance)
    {
        int n = points.Length / 2;
        var approximate = new double[2 * n];
        double z = repulsion.Compute(points, n, approximate);

        double exactZ = 0;
        var exact = new double[2 * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (i == j) continue;
                double d0 = points[2 * i] - points[2 * j], d1 = points[2 * i + 1] - points[2 * j + 1];
                double q = 1 / (1 + d0 * d0 + d1 * d1);
                exactZ += q;
                exact[2 * i] += q * q * d0;
                exact[2 * i + 1] += q * q * d1;
            }
        double error = 0, norm = 0;
        for (int c = 0; c < 2 * n; c++) { error += Math.Pow(approximate[c] - exact[c], 2); norm += exact[c] * exact[c]; }
        Assert.True(Math.Abs(exactZ - z) < exactZ * zTolerance && Math.Sqrt(error / norm) < forceTolerance,
            $"Z {z} vs exact {exactZ} (relative {Math.Abs(exactZ - z) / exactZ:E2}); relative force error {Math.Sqrt(error / norm):E2}");
    }

    [Fact]
    public void Bandwidths_match_the_perplexity_and_P_is_a_symmetric_distribution()
    {
        var (points, _) = EmbeddingTestData.Blobs(50, 3, 5, 2);
        using var x = points;
        var graph = NearestNeighbors.Exact(x, 40);
        var conditional = TsneOptions.ConditionalProbabilities(graph, 12);
        for (int i = 0; i < graph.Count; i++)
        {
            var row = conditional.AsSpan(i * 40, 40).ToArray();
            Assert.Equal(1.0, row.Sum(), 1e-9);
            double entropy = -row.Where(v => v > 0).Sum(v => v * Math.Log(v));
            Assert.Equal(Math.Log(12), entropy, 1e-4);
        }
        var p = new TsneOptions { Perplexity = 12 }.Affinities(x, NoProgress.Instance);
        Assert.Equal(1.0, p.Values.Sum(), 1e-9);
        var entries = new Dictionary<(int, int), double>();
        for (int i = 0; i < p.Size; i++)
            for (int e = p.RowStart[i]; e < p.RowStart[i + 1]; e++) entries[(i, p.Columns[e])] = p.Values[e];
        foreach (var ((i, j), v) in entries) Assert.Equal(v, entries[(j, i)], 1e-15);
    }

    [Theory]
    [InlineData(TsneGradientMethod.BarnesHut)]
    [InlineData(TsneGradientMethod.Fft)]
    public void Separates_well_separated_clusters_and_KL_decreases(TsneGradientMethod gradient)
    {
        var (points, labels) = EmbeddingTestData.Blobs(60, 4, 10, 3);
        using var x = points;
        var shorter = new TsneOptions { Perplexity = 20, MaxIter = 300, NegativeGradientMethod = gradient }.Embed(x);
        var full = new TsneOptions { Perplexity = 20, MaxIter = 600, NegativeGradientMethod = gradient }.Embed(x);
        Assert.Equal(1.0, EmbeddingTestData.NearestNeighborAgreement(full.Points, labels));
        // The same seed follows the same path, so the 300-iteration run is a prefix of the 600-iteration one.
        Assert.True(full.Diagnostics["kl_divergence"] < shorter.Diagnostics["kl_divergence"],
            $"KL after 600 iterations {full.Diagnostics["kl_divergence"]} vs 300 {shorter.Diagnostics["kl_divergence"]}");
        Assert.InRange(full.Diagnostics["kl_divergence"], 0, 2);
        Assert.Equal(Math.Max(240 / 12.0 / 4, 50), full.Diagnostics["learning_rate"]);
        Assert.Contains("perplexity 20", full.Settings);
        Assert.Contains(gradient == TsneGradientMethod.Fft ? "FFT" : "Barnes-Hut", full.Settings);
        // Clusters end far apart relative to their own spread.
        using var e = full.ToTensor();
        var quality = EmbeddingQuality.Measure(x, e, 10);
        Assert.True(quality.Trustworthiness > 0.9, quality.ToString());
    }

    [Fact]
    public void Same_seed_same_embedding()
    {
        var (points, _) = EmbeddingTestData.Blobs(40, 3, 6, 4);
        using var x = points;
        var a = new TsneOptions { Perplexity = 10, MaxIter = 300, Init = TsneInitialization.Random, Seed = 7 }.Embed(x);
        var b = new TsneOptions { Perplexity = 10, MaxIter = 300, Init = TsneInitialization.Random, Seed = 7 }.Embed(x);
        Assert.Equal(a.Points.Cast<float>(), b.Points.Cast<float>());
    }

    [Fact]
    public void Invalid_settings_are_refused()
    {
        using var x = randn([20, 3]);
        Assert.Contains("perplexity", Assert.Throws<DeepscopeException>(() => new TsneOptions().Embed(x)).Message);
        Assert.Contains("unknown parameter", Assert.Throws<DeepscopeException>(() => new TsneOptions().With(new Dictionary<string, string> { ["perplex"] = "5" })).Message);
        var parsed = (TsneOptions)new TsneOptions().With(new Dictionary<string, string> { ["perplexity"] = "5", ["learning_rate"] = "auto", ["init"] = "random", ["max_iter"] = "500", ["negative_gradient_method"] = "barnes_hut" });
        Assert.Equal((5.0, (double?)null, TsneInitialization.Random, 500, TsneGradientMethod.BarnesHut),
            (parsed.Perplexity, parsed.LearningRate, parsed.Init, parsed.MaxIter, parsed.NegativeGradientMethod));
        Assert.Contains("angle", Assert.Throws<DeepscopeException>(() => new TsneOptions { Angle = 1.2 }.Embed(randn([40, 3]))).Message);
    }
}
