using Deepscope.Embedding;
using static TorchSharp.torch;

namespace Deepscope.Tests.Embedding;

public class ManifoldTests
{
    [Fact]
    public void Umap_curve_parameters_match_the_reference_for_its_defaults()
    {
        // umap-learn's find_ab_params(spread=1, min_dist=0.1) = (1.5769, 0.8951).
        var (a, b) = UmapOptions.FitCurve(0.1, 1.0);
        Assert.Equal(1.5769, a, 2e-3);
        Assert.Equal(0.8951, b, 2e-3);
    }

    [Fact]
    public void Umap_fuzzy_graph_is_symmetric_with_memberships_in_0_1()
    {
        var (points, _) = EmbeddingTestData.Blobs(40, 3, 5, 6);
        using var x = points;
        var graph = new UmapOptions().FuzzySimplicialSet(NearestNeighbors.Exact(x, 14));
        var entries = new Dictionary<(int, int), double>();
        for (int i = 0; i < graph.Size; i++)
            for (int e = graph.RowStart[i]; e < graph.RowStart[i + 1]; e++) entries[(i, graph.Columns[e])] = graph.Values[e];
        foreach (var ((i, j), v) in entries)
        {
            Assert.InRange(v, 1e-12, 1.0);
            Assert.Equal(v, entries[(j, i)], 1e-12);
        }
        // Every sample's nearest neighbour has membership 1 (local connectivity 1).
        var nearest = NearestNeighbors.Exact(x, 1);
        for (int i = 0; i < graph.Size; i++) Assert.Equal(1.0, entries[(i, nearest.Neighbor(i, 0))], 1e-12);
    }

    [Theory]
    [InlineData("umap")]
    [InlineData("spectral")]
    [InlineData("lle")]
    public void Separates_well_separated_clusters(string method)
    {
        var (points, labels) = EmbeddingTestData.Blobs(50, 3, 8, 8);
        using var x = points;
        var parameters = method == "lle" ? new Dictionary<string, string> { ["neighbors"] = "10" } : null;
        var result = Embedders.Create(method, parameters).Embed(x);
        Assert.Equal((150, 2), (result.Count, result.Dimensions));
        Assert.True(EmbeddingTestData.NearestNeighborAgreement(result.Points, labels) > 0.95, method);
    }

    [Fact]
    public void Lle_and_umap_unroll_a_swiss_roll_better_than_pca()
    {
        var (points, intrinsic) = EmbeddingTestData.SwissRoll(800, 3);
        using var p = points; using var t = intrinsic;
        using var pca = new PcaOptions().Embed(p).ToTensor();
        double pcaTrust = EmbeddingQuality.Measure(t, pca, 10).Trustworthiness;
        foreach (var options in new EmbeddingOptions[] { new LleOptions { Neighbors = 12 }, new UmapOptions() })
        {
            using var e = options.Embed(p).ToTensor();
            var quality = EmbeddingQuality.Measure(t, e, 10);
            Assert.True(quality.Trustworthiness > 0.99 && quality.Trustworthiness > pcaTrust, $"{options.Method}: {quality} vs PCA {pcaTrust:F4}");
        }
    }

    [Fact]
    public void Lle_embedding_is_orthonormal_and_orthogonal_to_the_constant()
    {
        var (points, _) = EmbeddingTestData.SwissRoll(300, 5);
        using var p = points;
        using var e = new LleOptions { Neighbors = 10 }.Embed(p).ToTensor();
        using var e64 = e.to_type(ScalarType.Float64);
        using var gram = e64.t().mm(e64);
        Assert.True((gram - eye(2, dtype: ScalarType.Float64)).abs().max().item<double>() < 1e-4);
        Assert.True(e64.sum(dim: 0).abs().max().item<double>() < 1e-3);
    }

    [Fact]
    public void Every_method_is_reachable_by_name_with_parameters()
    {
        foreach (var name in Embedders.Names) Assert.Equal(name, Embedders.Create(name).Method);
        var umap = (UmapOptions)Embedders.Create("umap", new Dictionary<string, string> { ["n_neighbors".Replace("n_", "")] = "30", ["min_dist"] = "0.5" });
        Assert.Equal((30, 0.5), (umap.Neighbors, umap.MinDist));
        Assert.Throws<DeepscopeException>(() => Embedders.Create("tnse"));
    }
}
