using Deepscope.Anomaly;
using Deepscope.Data.Sources;
using Deepscope.Studies.Inspection;
using static TorchSharp.torch;

namespace Deepscope.Tests.Inspection;

/// <summary>Splits, balanced sampling and the outlier scores.</summary>
public sealed class InspectionDataTests
{
    [Fact]
    public void Stratified_folds_keep_class_proportions_and_are_seeded()
    {
        int[] labels = [.. Enumerable.Range(0, 103).Select(i => i % 5 == 0 ? 1 : 0)];  // 21 positives, 82 negatives
        var folds = InspectionData.StratifiedFolds(labels, 5, seed: 7);
        for (int f = 0; f < 5; f++)
        {
            var members = Enumerable.Range(0, labels.Length).Where(i => folds[i] == f).ToList();
            Assert.InRange(members.Count(i => labels[i] == 1), 4, 5);
            Assert.InRange(members.Count, 20, 21);
        }
        Assert.Equal(folds, InspectionData.StratifiedFolds(labels, 5, seed: 7));
        Assert.NotEqual(folds, InspectionData.StratifiedFolds(labels, 5, seed: 8));
        var (train, validation) = InspectionData.HoldOut(labels, 0.1, seed: 7);
        Assert.Equal(103, train.Length + validation.Length);
        Assert.InRange(validation.Length, 10, 11);
        Assert.InRange(validation.Count(r => labels[r] == 1), 2, 3);
        Assert.Empty(train.Intersect(validation));
    }

    [Fact]
    public void Balanced_sampling_draws_classes_equally_and_rows_are_pure_functions_of_index_and_epoch()
    {
        using var values = arange(100, ScalarType.Int64);
        var source = new TensorSource(new Dictionary<string, Tensor> { [Fields.Input] = values }, []);
        int[] labels = [.. Enumerable.Range(0, 100).Select(i => i < 10 ? 1 : 0)];
        var balanced = new BalancedSource(source, labels, seed: 1);
        long[] all = [.. Enumerable.Range(0, 100).Select(i => (long)i)];
        long[] Rows(long[] indices, int epoch) { using var b = balanced.Read(indices, epoch); return b[Fields.Input].data<long>().ToArray(); }
        var epoch0 = Rows(all, 0);
        Assert.Equal(epoch0, Rows(all, 0));
        Assert.Equal(epoch0[42], Rows([42], 0)[0]);
        Assert.NotEqual(epoch0, Rows(all, 1));
        int rare = Enumerable.Range(0, 20).Sum(e => Rows(all, e).Count(r => r < 10));
        Assert.InRange(rare / 2000.0, 0.45, 0.55);
    }

    [Fact]
    public void Mahalanobis_and_nearest_neighbour_scores_measure_distance_from_normal_data()
    {
        using var g = new Generator(5);
        using var normal = randn([4000, 3], generator: g) * tensor(new float[] { 1, 2, 0.5f });
        using var probes = tensor(new float[,] { { 0, 0, 0 }, { 3, 0, 0 }, { 0, 6, 0 }, { 0, 0, 1.5f } });
        using var mahalanobis = new MahalanobisScorer(normal, shrinkage: 0);
        var d = mahalanobis.Score(probes);
        // Three standard deviations along each axis is distance 3, whatever the axis's scale.
        Assert.InRange(d[0], 0, 0.1);
        foreach (var far in d.Skip(1)) Assert.InRange(far, 2.85, 3.15);

        using var points = tensor(new float[,] { { 0, 0 }, { 1, 0 }, { 0, 2 } });
        using var knn = new NearestNeighbourScorer(points, k: 2);
        using var query = tensor(new float[,] { { 1, 1 } });  // distances 1, sqrt 2, sqrt 2
        Assert.Equal((1 + Math.Sqrt(2)) / 2, knn.Score(query)[0], 5);
    }
}
