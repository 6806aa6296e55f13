using System.Text.Json;
using Deepscope.Embedding;
using static TorchSharp.torch;

namespace Deepscope.Tests.Embedding;

public class QualityTests
{
    [Fact]
    public void Trustworthiness_and_continuity_match_scikit_learn_on_a_fixture()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Embedding", "trustworthiness.json")));
        var root = doc.RootElement;
        using var x = Matrix(root.GetProperty("x"));
        using var y = Matrix(root.GetProperty("y"));
        foreach (var row in root.GetProperty("values").EnumerateArray())
        {
            var quality = EmbeddingQuality.Measure(x, y, row.GetProperty("k").GetInt32());
            Assert.Equal(row.GetProperty("trustworthiness").GetDouble(), quality.Trustworthiness, 1e-9);
            Assert.Equal(row.GetProperty("continuity").GetDouble(), quality.Continuity, 1e-9);
            Assert.False(quality.Sampled);
        }
    }

    [Fact]
    public void A_similarity_transform_is_perfectly_trustworthy_and_continuous()
    {
        using var x = randn([200, 2], generator: new Generator(3));
        using var rotated = x.mm(tensor(new float[] { 0.6f, -0.8f, 0.8f, 0.6f }, [2, 2])) * 3 + 1;
        var quality = EmbeddingQuality.Measure(x, rotated, 7);
        Assert.Equal(1.0, quality.Trustworthiness, 1e-12);
        Assert.Equal(1.0, quality.Continuity, 1e-12);
    }

    [Fact]
    public void Sampling_the_queries_estimates_the_exact_value()
    {
        var (points, _) = EmbeddingTestData.SwissRoll(1500, 4);
        using var p = points;
        using var flat = p.narrow(1, 0, 2);
        var exact = EmbeddingQuality.Measure(p, flat, 10);
        var sampled = EmbeddingQuality.Measure(p, flat, 10, maxQueries: 500, seed: 1);
        Assert.True(sampled.Sampled);
        Assert.Equal(500, sampled.Queries);
        Assert.InRange(sampled.Trustworthiness - exact.Trustworthiness, -0.02, 0.02);
    }

    static Tensor Matrix(JsonElement rows)
    {
        var values = rows.EnumerateArray().Select(r => r.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray();
        return tensor(values.SelectMany(r => r).ToArray(), [values.Length, values[0].Length]);
    }
}
