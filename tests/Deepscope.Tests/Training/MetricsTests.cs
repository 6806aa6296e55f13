using Deepscope.Learners.Evaluation;
using static TorchSharp.torch;

namespace Deepscope.Tests.Training;

/// <summary>
/// Metrics of a training run's class indices, against scikit-learn 1.2's confusion_matrix and
/// precision_recall_fscore_support(zero_division=0) on the same labels, and the JSON `evaluate` writes.
/// </summary>
public class MetricsTests
{
    [Fact]
    public void MatchesScikitLearn()
    {
        using var truth = tensor(new long[] { 0, 1, 2, 2, 1, 0, 2, 2, 1, 0, 0, 2 });
        using var predicted = tensor(new long[] { 0, 2, 2, 2, 1, 0, 1, 2, 0, 0, 1, 2 });
        var m = ClassificationMetrics.Compute(truth, predicted, classCount: 4);
        Assert.Equal(8 / 12.0, m.Accuracy, 12);
        Assert.Equal(new long[][] { [3, 1, 0, 0], [1, 1, 1, 0], [0, 1, 4, 0], [0, 0, 0, 0] }, m.ConfusionMatrix);
        Assert.Equal([0.75, 1 / 3.0, 0.8, 0], m.PerClass.Select(c => c.Precision).ToArray(), new Tolerance());
        Assert.Equal([0.75, 1 / 3.0, 0.8, 0], m.PerClass.Select(c => c.Recall).ToArray(), new Tolerance());
        Assert.Equal([0.75, 1 / 3.0, 0.8, 0], m.PerClass.Select(c => c.F1).ToArray(), new Tolerance());
        Assert.Equal([4L, 3, 5, 0], m.PerClass.Select(c => c.Support).ToArray());
    }

    [Fact]
    public void JsonHasTheSharedShape()
    {
        using var truth = tensor(new long[] { 0, 1, 1 });
        using var predicted = tensor(new long[] { 0, 1, 0 });
        var metrics = ClassificationMetrics.Compute(truth, predicted, classCount: 2);
        var json = System.Text.Json.JsonDocument.Parse(MetricsJson.ToJson(metrics, classNames: ["x", "y"])).RootElement;
        Assert.Equal(2 / 3.0, json.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(1, json.GetProperty("confusion_matrix")[1][0].GetInt64());
        var y = json.GetProperty("per_class")[1];
        Assert.Equal("y", y.GetProperty("name").GetString());
        Assert.Equal(1, y.GetProperty("class").GetInt64());
        Assert.Equal(0.5, y.GetProperty("recall").GetDouble(), 12);
        Assert.Equal(2, y.GetProperty("support").GetInt64());
    }

    sealed class Tolerance : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;
        public int GetHashCode(double obj) => 0;
    }
}
