using Deepscope.Embedding;
using static TorchSharp.torch;

namespace Deepscope.Tests.Embedding;

public class MdsIsomapTests
{
    /// <summary>A known planar configuration, rotated into 6-D and shifted.</summary>
    static (Tensor Plane, Tensor Lifted) Configuration()
    {
        var g = new Generator(5);
        var plane = randn([40, 2], ScalarType.Float64, generator: g) * tensor(new[] { 4.0, 1.5 }, ScalarType.Float64);
        var rotation = linalg.qr(randn([6, 6], ScalarType.Float64, generator: g)).Q.narrow(0, 0, 2);
        return (plane, (plane.mm(rotation) + 7).to_type(ScalarType.Float32));
    }

    static double MaxDistanceError(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var da = cdist(a.to_type(ScalarType.Float64), a.to_type(ScalarType.Float64));
        var db = cdist(b.to_type(ScalarType.Float64), b.to_type(ScalarType.Float64));
        return (da - db).abs().max().item<double>();
    }

    [Fact]
    public void Classical_mds_recovers_a_planar_configuration_up_to_rotation()
    {
        var (plane, lifted) = Configuration();
        using var _ = plane; using var __ = lifted;
        var result = new MdsOptions().Embed(lifted);
        using var e = result.ToTensor();
        Assert.True(MaxDistanceError(plane, e) < 1e-3, $"distance error {MaxDistanceError(plane, e)}");
        // The eigenvalues are the variances along the configuration's principal axes times N.
        Assert.True(result.Diagnostics["eigenvalue_1"] > result.Diagnostics["eigenvalue_2"]);
    }

    [Fact]
    public void Classical_mds_of_precomputed_distances_recovers_the_configuration()
    {
        var (plane, _) = Configuration();
        using var p = plane;
        using var distances = cdist(p, p);
        var result = new MdsOptions().EmbedDistances(distances);
        using var e = result.ToTensor();
        Assert.True(MaxDistanceError(p, e) < 1e-3);
    }

    [Fact]
    public void Smacof_drives_the_stress_of_a_planar_configuration_to_zero()
    {
        var (plane, lifted) = Configuration();
        using var _ = plane; using var __ = lifted;
        using var distances = cdist(plane, plane);
        double scale = distances.pow(2).sum().item<double>() / 2;
        var result = new MdsOptions { Algorithm = MdsAlgorithm.Smacof, Eps = 1e-7, MaxIter = 3000 }.Embed(lifted);
        Assert.True(result.Diagnostics["stress"] / scale < 1e-4, $"relative stress {result.Diagnostics["stress"] / scale}");
        using var e = result.ToTensor();
        Assert.True(MaxDistanceError(plane, e) < 0.1, $"distance error {MaxDistanceError(plane, e)}");
    }

    [Fact]
    public void Isomap_unrolls_a_swiss_roll()
    {
        var (points, intrinsic) = EmbeddingTestData.SwissRoll(800, 0);
        using var p = points; using var t = intrinsic;
        var isomap = new IsomapOptions { Neighbors = 10 }.Embed(p);
        using var e = isomap.ToTensor();
        var unrolled = EmbeddingQuality.Measure(t, e, 10);
        Assert.True(unrolled.Trustworthiness > 0.97 && unrolled.Continuity > 0.97, $"isomap vs intrinsic: {unrolled}");
        Assert.Equal(1, isomap.Diagnostics["graph_components"]);
        // PCA squashes the roll: far worse against the intrinsic coordinates.
        using var pca = new PcaOptions().Embed(p).ToTensor();
        var squashed = EmbeddingQuality.Measure(t, pca, 10);
        Assert.True(squashed.Trustworthiness < unrolled.Trustworthiness - 0.03, $"pca {squashed} vs isomap {unrolled}");
    }

    [Fact]
    public void Isomap_joins_a_graph_in_pieces()
    {
        var (blobs, labels) = EmbeddingTestData.Blobs(30, 2, 3, 1);
        using var b = blobs;
        var result = new IsomapOptions { Neighbors = 5 }.Embed(b);
        Assert.Equal(2, result.Diagnostics["graph_components"]);
        Assert.Contains("joined", result.Settings);
        Assert.Equal(1.0, EmbeddingTestData.NearestNeighborAgreement(result.Points, labels));
    }

    [Fact]
    public void Dense_methods_refuse_sizes_that_cannot_fit()
    {
        var e = Assert.Throws<DeepscopeException>(() => DenseEmbedding.RequireFits("isomap", 70_000));
        Assert.Contains("GiB", e.Message);
    }
}
