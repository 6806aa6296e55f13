using System.Text.Json;
using Deepscope.Learners;
using Deepscope.Learners.Evaluation;
using static Deepscope.Tests.Learners.LearnerFixtures;
using static TorchSharp.torch;

namespace Deepscope.Tests.Learners;

/// <summary>Metrics against scikit-learn's on the same labels; splitters against the properties that define them.</summary>
public class EvaluationTests
{
    [Fact]
    public void Metrics_match_scikit_learn()
    {
        var m = ClassificationMetrics.Compute(Longs("metrics_truth"), Longs("metrics_predicted"));
        var confusion = Longs("metrics_confusion");
        Assert.Equal(confusion, m.ConfusionMatrix.SelectMany(r => r).ToArray());
        Close(Doubles("metrics_precision"), [.. m.PerClass.Select(s => s.Precision)], 1e-12, "precision");
        Close(Doubles("metrics_recall"), [.. m.PerClass.Select(s => s.Recall)], 1e-12, "recall");
        Close(Doubles("metrics_f1"), [.. m.PerClass.Select(s => s.F1)], 1e-12, "F1");
        Assert.Equal(Doubles("metrics_macro_f1")[0], m.MacroF1, 12);
        Assert.Equal(Doubles("metrics_weighted_f1")[0], m.WeightedF1, 12);
        double accuracy = Longs("metrics_truth").Zip(Longs("metrics_predicted")).Count(p => p.First == p.Second) / 200.0;
        Assert.Equal(accuracy, m.Accuracy, 12);
        Assert.Equal(accuracy, m.MicroF1, 12);
        // A class never predicted has precision 0 (zero_division = 0), and F1 0.
        var none = ClassificationMetrics.Compute([0, 1, 1], [0, 0, 0]);
        Assert.Equal((0.0, 0.0, 0.0), (none.PerClass[1].Precision, none.PerClass[1].Recall, none.PerClass[1].F1));
    }

    [Fact]
    public void Roc_auc_matches_scikit_learn_with_ties()
    {
        var truth = Longs("auc_truth");
        double auc = ClassificationMetrics.ComputeRocAuc([.. truth.Select(t => t == 1)], Doubles("auc_scores"));
        Assert.Equal(Doubles("auc")[0], auc, 12);
        Assert.Equal(0.5, ClassificationMetrics.ComputeRocAuc([true, false, true, false], [1, 1, 1, 1]), 12);
        Assert.Equal(1.0, ClassificationMetrics.ComputeRocAuc([false, true], [0.1, 0.9]), 12);
    }

    static long[] Labels(int n, int classes) => [.. Enumerable.Range(0, n).Select(i => (long)(i * 7 % classes))];

    [Theory]
    [InlineData(5, false)]
    [InlineData(3, true)]
    public void K_fold_test_sets_partition_the_rows(int k, bool shuffle)
    {
        var labels = Labels(23, 3);
        var folds = new KFold(k, shuffle, Seed: 1).Split(labels).ToList();
        Assert.Equal(k, folds.Count);
        Assert.Equal(Enumerable.Range(0, 23), folds.SelectMany(f => f.Test).Order());
        Assert.All(folds, f => Assert.Equal(23, f.Train.Length + f.Test.Length));
        Assert.All(folds, f => Assert.Empty(f.Train.Intersect(f.Test)));
        Assert.All(folds, f => Assert.InRange(f.Test.Length, 23 / k, 23 / k + 1));
    }

    [Fact]
    public void Stratified_folds_keep_class_proportions()
    {
        var labels = Labels(100, 4).Concat(Enumerable.Repeat(9L, 10)).ToArray(); // a small class of 10
        var folds = new StratifiedKFold(5, Shuffle: true, Seed: 2).Split(labels).ToList();
        Assert.Equal(Enumerable.Range(0, 110), folds.SelectMany(f => f.Test).Order());
        foreach (var c in labels.Distinct())
        {
            int total = labels.Count(l => l == c);
            Assert.All(folds, f => Assert.InRange(f.Test.Count(i => labels[i] == c), total / 5, total / 5 + 1));
        }
        Assert.Contains("class 9 has only 10 samples", Assert.Throws<DeepscopeException>(() => new StratifiedKFold(11).Split(labels).ToList()).Message);
    }

    [Fact]
    public void Leave_one_out_and_leave_one_group_out()
    {
        var labels = Labels(7, 2);
        var loo = new LeaveOneOut().Split(labels).ToList();
        Assert.Equal(7, loo.Count);
        Assert.All(loo, (f, i) => Assert.Equal([i], f.Test));
        long[] groups = [3, 1, 3, 2, 1, 3, 2];
        var logo = new LeaveOneGroupOut().Split(labels, groups).ToList();
        Assert.Equal(3, logo.Count);
        Assert.Equal([1, 4], logo[0].Test);
        Assert.Equal([3, 6], logo[1].Test);
        Assert.Equal([0, 2, 5], logo[2].Test);
        Assert.All(logo, f => Assert.DoesNotContain(f.Train, i => f.Test.Any(t => groups[t] == groups[i])));
        Assert.Throws<DeepscopeException>(() => new LeaveOneGroupOut().Split(labels).ToList());
    }

    [Fact]
    public void Stratified_train_test_split_holds_out_the_fraction_of_each_class()
    {
        var labels = Labels(200, 4);
        var fold = new TrainTestSplit(0.25, Stratified: true, Seed: 5).Split(labels).Single();
        Assert.Equal(50, fold.Test.Length);
        foreach (var c in labels.Distinct()) Assert.InRange(fold.Test.Count(i => labels[i] == c), 12, 13); // 50 rows each
        Assert.Equal(fold.Test.Length, fold.Test.Distinct().Count());
    }

    [Fact]
    public void Cross_validation_predicts_every_row_once_and_pools_the_metrics()
    {
        var (x, y, _, _) = Blobs();
        var result = CrossValidation.Run(new Lda(), x, y, new StratifiedKFold(4, Shuffle: true, Seed: 0));
        Assert.Equal(4, result.Folds.Count);
        Assert.NotNull(result.OutOfFold);
        Assert.Equal(120, result.Pooled!.Count);
        // Fold accuracies weighted by fold size give the pooled accuracy.
        Assert.Equal(result.Pooled.Accuracy, result.Folds.Sum(f => f.Accuracy * f.TestCount) / 120, 12);
        Assert.True(result.MeanAccuracy > 0.85);
    }

    [Fact]
    public void Leave_one_out_on_lda_equals_refitting_without_each_row()
    {
        var (x, y, _, _) = Blobs();
        var sub = x.narrow(0, 0, 30).contiguous();
        var labels = tensor(Enumerable.Range(0, 30).Select(i => (long)(i % 3)).ToArray());
        var result = CrossValidation.Run(new Lda(), sub, labels, new LeaveOneOut());
        for (int i = 0; i < 30; i += 7)
        {
            var keep = tensor(Enumerable.Range(0, 30).Where(j => j != i).Select(j => (long)j).ToArray());
            using var model = new Lda().Fit(sub.index_select(0, keep), labels.index_select(0, keep));
            Assert.Equal(model.Predict(sub.narrow(0, i, 1)).item<long>(), result.OutOfFold![i]);
        }
    }

    [Fact]
    public void Group_vote_takes_the_majority_per_group()
    {
        long[] truth = [1, 1, 1, 0, 0, 0, 0];
        long[] predicted = [1, 0, 1, 0, 1, 1, 0];
        long[] groups = [5, 5, 5, 8, 8, 9, 9];
        var vote = GroupVoting.Vote(truth, predicted, groups);
        Assert.Equal([5L, 8, 9], vote.Groups);
        Assert.Equal([1L, 0, 0], vote.Truth);
        Assert.Equal([1L, 0, 0], vote.Predicted); // group 8 and 9 tie 1:1 and go to the lower label
        Assert.Equal(1.0, vote.Metrics.Accuracy);
    }

    [Fact]
    public void Grid_search_tries_every_combination_and_keeps_the_best()
    {
        var (x, y, _, _) = Blobs();
        var grid = new Dictionary<string, string[]> { ["k"] = ["1", "15"], ["weights"] = ["uniform", "distance"] };
        var result = GridSearch.Run(p => LearnerCatalog.Create("knn", p), grid, x, y, new StratifiedKFold(3, Shuffle: true));
        Assert.Equal(4, result.Candidates.Count);
        Assert.Equal(["1", "1", "15", "15"], result.Candidates.Select(c => c.Parameters["k"]));
        Assert.Equal(result.Candidates.Max(c => c.MeanAccuracy), result.Best.MeanAccuracy);
    }

    [Fact]
    public void Metrics_json_has_the_shared_shape()
    {
        var m = ClassificationMetrics.Compute([0, 1, 1, 0], [0, 1, 0, 0], positiveScores: [0.1, 0.8, 0.4, 0.3]);
        var text = MetricsJson.ToJson(m, json => json.WriteString("model", "test"), ["cat", "dog"]);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.Equal("test", root.GetProperty("model").GetString());
        Assert.Equal(0.75, root.GetProperty("accuracy").GetDouble());
        Assert.Equal(1.0, root.GetProperty("roc_auc").GetDouble());
        Assert.Equal("[[2,0],[1,1]]", root.GetProperty("confusion_matrix").ToString().Replace(" ", "").Replace("\n", "").Replace("\r", ""));
        var dog = root.GetProperty("per_class")[1];
        Assert.Equal("dog", dog.GetProperty("name").GetString());
        Assert.Equal(1.0, dog.GetProperty("precision").GetDouble());
        Assert.Equal(0.5, dog.GetProperty("recall").GetDouble());
        Assert.Equal(2, dog.GetProperty("support").GetInt64());
    }
}
