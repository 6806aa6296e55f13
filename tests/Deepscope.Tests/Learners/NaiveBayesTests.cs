using Deepscope.IO;
using Deepscope.Learners;
using static Deepscope.Tests.Learners.LearnerFixtures;
using static TorchSharp.torch;

namespace Deepscope.Tests.Learners;

/// <summary>Gaussian naive Bayes against posteriors worked out by hand and against scikit-learn's GaussianNB (nb_small.npz).</summary>
public class NaiveBayesTests
{
    [Fact]
    public void Posteriors_match_a_hand_computation()
    {
        // Class 0 at {0, 2}: mean 1, variance 1. Class 1 at {3, 5, 7}: mean 5, variance 8/3. All five points: mean 3.4,
        // variance (3.4^2 + 1.4^2 + 0.4^2 + 1.6^2 + 3.6^2) / 5 = 5.84, so var_smoothing 0.1 adds 0.584 to both.
        using var x = tensor(new float[] { 0, 2, 3, 5, 7 }).view(5, 1);
        using var y = tensor(new long[] { 0, 0, 1, 1, 1 });
        var learner = (GaussianNaiveBayes)LearnerCatalog.Create("nb", new Dictionary<string, string> { ["var_smoothing"] = "0.1" });
        using var model = learner.FitModel(x, y);
        Close([1, 5], Values(model.Means), 1e-12, "means");
        Close([1.584, 8.0 / 3 + 0.584], Values(model.Variances), 1e-12, "variances");

        double[] means = [1, 5], variances = [1.584, 8.0 / 3 + 0.584], priors = [0.4, 0.6];
        double[] queries = [-1, 2.5, 4, 10];
        var expected = queries.SelectMany(q =>
        {
            var joint = Enumerable.Range(0, 2).Select(c =>
                priors[c] * Math.Exp(-(q - means[c]) * (q - means[c]) / (2 * variances[c])) / Math.Sqrt(2 * Math.PI * variances[c])).ToArray();
            return joint.Select(j => j / joint.Sum());
        }).ToArray();
        using var t = tensor(queries.Select(q => (float)q).ToArray()).view(4, 1);
        Close(expected, Values(model.PredictProbabilities(t)), 1e-6, "posteriors");
        Assert.Equal([0L, 0, 1, 1], model.Predict(t).data<long>().ToArray());
        Assert.Equal("0.1", learner.Parameters["var_smoothing"]);
    }

    [Theory]
    [InlineData("default", "1e-9")]
    [InlineData("smooth", "0.5")]
    public void Matches_scikit_learn(string name, string smoothing)
    {
        var arrays = Npy.ReadNpz(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Learners", "nb_small.npz"));
        double[] Expected(string key) => arrays[$"{name}_{key}"].to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var learner = (GaussianNaiveBayes)LearnerCatalog.Create("nb", new Dictionary<string, string> { ["var_smoothing"] = smoothing });
        using var model = learner.FitModel(arrays["x_train"], arrays["y_train"]);
        Close(Expected("mean"), Values(model.Means), 1e-5, "class means");
        Close(Expected("var"), Values(model.Variances), 1e-5, "class variances");
        Close(Expected("proba"), Values(model.PredictProbabilities(arrays["x_test"])), 1e-5, "probabilities");
    }

    [Fact]
    public void A_constant_feature_stays_finite_through_the_smoothing()
    {
        // Feature 1 is constant: without smoothing its variance is 0 and every likelihood would divide by it.
        using var x = tensor(new float[] { 0, 3, 1, 3, 5, 3, 6, 3 }).view(4, 2);
        using var y = tensor(new long[] { 0, 0, 1, 1 });
        using var model = new GaussianNaiveBayes().FitModel(x, y);
        // Largest feature variance is that of feature 0 ({0, 1, 5, 6}: 6.5), so feature 1 gets 6.5e-9.
        Close([6.5e-9, 6.5e-9], Values(model.Variances.select(1, 1)), 1e-15, "smoothed variance of the constant feature");
        Assert.All(Values(model.PredictProbabilities(x)), p => Assert.True(double.IsFinite(p)));
    }
}
