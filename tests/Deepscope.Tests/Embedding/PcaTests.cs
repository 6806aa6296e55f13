using Deepscope.Embedding;
using static TorchSharp.torch;

namespace Deepscope.Tests.Embedding;

public class PcaTests
{
    /// <param name="spiked">The three leading scales ×4: a clear gap, which the randomized solver needs at D = 300.</param>
    static Tensor Correlated(int n, int d, long seed, bool spiked = false)
    {
        var g = new Generator((ulong)seed);
        var scales = linspace(5, 0.5, d, ScalarType.Float64);
        if (spiked) scales[TensorIndex.Slice(0, 3)] *= 4;
        var q = linalg.qr(randn([d, d], ScalarType.Float64, generator: g)).Q;
        return (randn([n, d], ScalarType.Float64, generator: g) * scales).mm(q) + 3;
    }

    [Theory]
    [InlineData(PcaSolver.Full, 400, 12)]
    [InlineData(PcaSolver.Full, 10, 30)]
    [InlineData(PcaSolver.Randomized, 600, 40)]
    // More rows than one 32 MB float64 block holds (13,981 at D = 300): the statistics come from several row blocks.
    [InlineData(PcaSolver.Full, 14500, 300, true)]
    [InlineData(PcaSolver.Randomized, 14500, 300, true)]
    public void Axes_and_explained_variance_match_the_exact_svd(PcaSolver solver, int n, int d, bool spiked = false)
    {
        using var scope = NewDisposeScope();
        var x = Correlated(n, d, 11, spiked);
        var centered = x - x.mean([0]);
        var (_, s, vh) = linalg.svd(centered, fullMatrices: false);
        var variance = s.pow(2) / (n - 1);
        var ratio = variance / variance.sum();

        using var model = new PcaOptions { Components = 3, Solver = solver }.Fit(x);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(ratio[c].item<double>(), model.ExplainedVarianceRatio[c], 1e-4);
            Assert.Equal(variance[c].item<double>(), model.ExplainedVariance[c], variance[c].item<double>() * 1e-4);
            // Same axis up to sign.
            double cosine = Math.Abs(model.Components[c].to_type(ScalarType.Float64).dot(vh[c]).item<double>());
            Assert.Equal(1.0, cosine, 1e-4);
        }
        var scores = model.Transform(x).to_type(ScalarType.Float64);
        Assert.Equal(0.0, scores.mean([0]).abs().max().item<double>(), 1e-3);
        Assert.Equal(variance[0].item<double>(), scores[TensorIndex.Colon, 0].var().item<double>(), variance[0].item<double>() * 1e-4);
    }

    [Fact]
    public void Embed_reports_explained_variance_and_orients_axes_by_the_largest_score()
    {
        using var x = Correlated(300, 8, 2);
        var result = new PcaOptions().Embed(x);
        Assert.Equal("PCA", result.Method);
        Assert.True(result.Diagnostics["explained_variance_ratio_1"] > result.Diagnostics["explained_variance_ratio_2"]);
        Assert.Contains("explained variance", result.Settings);
        for (int c = 0; c < 2; c++)
        {
            var column = Enumerable.Range(0, result.Count).Select(i => result.Points[i, c]).ToArray();
            Assert.True(column.MaxBy(Math.Abs) > 0); // scikit-learn's svd_flip convention
        }
    }

    [Fact]
    public void Bad_input_is_refused_with_a_clear_message()
    {
        using var x = randn([10, 4]);
        x[3, 2] = float.NaN;
        var e = Assert.Throws<DeepscopeException>(() => new PcaOptions().Embed(x));
        Assert.Contains("row 3", e.Message);
        using var y = randn([10, 4]);
        Assert.Contains("components", Assert.Throws<DeepscopeException>(() => new PcaOptions { Components = 5 }.Fit(y)).Message);
    }
}
