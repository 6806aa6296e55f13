using Deepscope.Learners;
using static Deepscope.Tests.Learners.LearnerFixtures;
using static TorchSharp.torch;

namespace Deepscope.Tests.Learners;

/// <summary>Each learner against scikit-learn 1.2's results on the same small data (learners_small.npz) and against invariants.</summary>
public class ClassifierTests
{
    [Fact]
    public void Lda_probabilities_and_projection_match_scikit_learn()
    {
        var (x, y, t, _) = Blobs();
        using var model = new Lda().FitModel(x, y);
        Close(Doubles("lda_proba"), Values(model.PredictProbabilities(t)), 1e-4, "LDA probabilities");
        // Discriminant axes are defined up to sign.
        var expected = Get("lda_transform").to_type(ScalarType.Float64);
        var actual = model.Transform(t).to_type(ScalarType.Float64);
        Assert.Equal(2, model.Components);
        for (int c = 0; c < 2; c++)
        {
            var e = expected.select(1, c);
            var a = actual.select(1, c);
            double sign = Math.Sign((e * a).sum().item<double>());
            Close(Values(e), Values(a * sign), 1e-3, $"LDA transform component {c}");
        }
    }

    [Theory]
    [InlineData(double.NaN, "lda_auto_proba")]
    [InlineData(0.5, "lda_half_proba")]
    public void Lda_shrinkage_matches_scikit_learn(double shrinkage, string reference)
    {
        var (x, y, t, _) = Blobs();
        using var model = new Lda(new LdaOptions { Shrinkage = shrinkage }).Fit(x, y);
        Close(Doubles(reference), Values(model.PredictProbabilities(t)), 1e-4, $"LDA shrinkage {shrinkage} probabilities");
    }

    [Fact]
    public void Lda_on_iris_reaches_the_textbook_training_accuracy()
    {
        using var model = new Lda().Fit(Float("iris_x"), Get("iris_y"));
        Assert.Equal(Doubles("iris_lda_training_accuracy")[0], model.Score(Float("iris_x"), Get("iris_y")), 6);
        Assert.Equal(0.98, Doubles("iris_lda_training_accuracy")[0], 6); // 147 of 150, as in the literature
    }

    [Fact]
    public void Logistic_regression_converges_to_scikit_learns_optimum()
    {
        var (x, y, t, _) = Blobs();
        using var model = new LogisticRegression(new LogisticRegressionOptions { C = 0.5, MaxIterations = 5000, Tolerance = 1e-5 }).FitModel(x, y);
        Assert.True(model.Converged);
        Close(Doubles("logreg_proba"), Values(model.PredictProbabilities(t)), 2e-4, "logistic regression probabilities");
        var sums = model.PredictProbabilities(t).sum(1);
        Close(Enumerable.Repeat(1.0, (int)t.shape[0]).ToArray(), Values(sums), 1e-5, "probability sums");
    }

    [Fact]
    public void Linear_svm_matches_liblinear_with_a_negligible_intercept_penalty()
    {
        var (x, y, t, _) = Blobs();
        using var model = new LinearSvm(new LinearSvmOptions { C = 0.1, MaxIterations = 5000, Tolerance = 1e-7 }).FitModel(x, y);
        Close(Doubles("linsvm_decision"), Values(model.DecisionFunction(t)), 5e-3, "linear SVM decision values");
        Assert.False(model.HasProbabilities);
        Assert.Throws<DeepscopeException>(() => model.PredictProbabilities(t));
    }

    [Fact]
    public void Rbf_svm_matches_libsvm_decision_values_and_support_vectors()
    {
        var (x, y, t, _) = Blobs();
        using var model = new RbfSvm(new RbfSvmOptions { C = 2, Tolerance = 1e-8 }).FitModel(x, y);
        Assert.Equal(Doubles("rbf_gamma")[0], model.Gamma, 6);
        Close(Doubles("rbf_decision"), Values(model.DecisionFunction(t)), 1e-3, "RBF SVM one-vs-one decision values");
        // Per class: rows that are a support vector of any pair (LIBSVM's n_support_).
        var classOf = Longs("blobs_y_train");
        var supportRows = model.Pairs.SelectMany(p => p.SupportRows).Distinct().ToArray();
        var perClass = Enumerable.Range(0, 3).Select(c => (long)supportRows.Count(r => classOf[r] == c)).ToArray();
        Assert.Equal(Longs("rbf_support_count"), perClass);
        Assert.All(model.Pairs, p => Assert.True(p.Converged));
    }

    [Fact]
    public void Smo_reaches_the_dual_optimum_of_libsvm_and_of_a_projected_gradient_qp()
    {
        var (x, y, _, _) = Blobs();
        var labels = Longs("blobs_y_train");
        var rows = tensor(Enumerable.Range(0, labels.Length).Where(i => labels[i] < 2).Select(i => (long)i).ToArray());
        using var model = new RbfSvm(new RbfSvmOptions { C = 2, Gamma = 0.1, Tolerance = 1e-10 }).FitModel(x.index_select(0, rows), y.index_select(0, rows));
        Assert.Equal(Doubles("rbf_binary_objective")[0], model.Pairs[0].DualObjective, 6);

        // An independent solver on a tiny problem: projected gradient on {0 <= a <= C, y'a = 0}.
        var tiny = x.narrow(0, 0, 6).to_type(ScalarType.Float64);
        var tinyY = new sbyte[] { 1, -1, 1, -1, 1, -1 };
        var tinyLabels = tensor(new long[] { 0, 1, 0, 1, 0, 1 });
        const double c = 0.7, gamma = 0.05;
        using var tinyModel = new RbfSvm(new RbfSvmOptions { C = c, Gamma = gamma, Tolerance = 1e-12 }).FitModel(tiny.to_type(ScalarType.Float32), tinyLabels);
        var k = (tiny.unsqueeze(1) - tiny.unsqueeze(0)).square().sum(2).mul(-gamma).exp();
        Assert.Equal(ProjectedGradientDual(Values(k), tinyY, c), tinyModel.Pairs[0].DualObjective, 5);
    }

    /// <summary>min 1/2 a'Qa - e'a by projected gradient; the projection onto box and hyperplane by bisection on the multiplier.</summary>
    static double ProjectedGradientDual(double[] kernel, sbyte[] y, double c)
    {
        int n = y.Length;
        double Q(int i, int j) => y[i] * y[j] * kernel[i * n + j];
        var a = new double[n];
        double step = 1.0 / (n * 1.0);
        for (int iteration = 0; iteration < 200_000; iteration++)
        {
            var z = new double[n];
            for (int i = 0; i < n; i++)
            {
                double g = -1;
                for (int j = 0; j < n; j++) g += Q(i, j) * a[j];
                z[i] = a[i] - step * g;
            }
            double lo = -1e3, hi = 1e3;
            for (int b = 0; b < 200; b++)
            {
                double mu = (lo + hi) / 2, s = 0;
                for (int i = 0; i < n; i++) s += y[i] * Math.Clamp(z[i] - mu * y[i], 0, c);
                if (s > 0) lo = mu; else hi = mu;
            }
            for (int i = 0; i < n; i++) a[i] = Math.Clamp(z[i] - (lo + hi) / 2 * y[i], 0, c);
        }
        double objective = 0;
        for (int i = 0; i < n; i++)
        {
            objective -= a[i];
            for (int j = 0; j < n; j++) objective += 0.5 * a[i] * Q(i, j) * a[j];
        }
        return objective;
    }

    [Fact]
    public void Knn_vote_shares_match_scikit_learn()
    {
        var (x, y, t, _) = Blobs();
        using var uniform = new KNearestNeighbors().Fit(x, y);
        Close(Doubles("knn_proba"), Values(uniform.PredictProbabilities(t)), 1e-6, "5-NN vote shares");
        using var weighted = new KNearestNeighbors(new KNearestOptions { K = 7, DistanceWeighted = true }).Fit(x, y);
        Close(Doubles("knn_distance_proba"), Values(weighted.PredictProbabilities(t)), 1e-4, "7-NN distance-weighted shares");
    }

    [Fact]
    public void Knn_survives_the_caller_disposing_the_training_matrix()
    {
        var (x, y, t, _) = Blobs();
        var copy = x.clone();
        using var model = new KNearestNeighbors().Fit(copy, y);
        copy.Dispose();
        Close(Doubles("knn_proba"), Values(model.PredictProbabilities(t)), 1e-6, "5-NN after dispose");
    }

    [Fact]
    public void A_single_tree_on_all_features_without_bootstrap_fits_distinct_points_exactly()
    {
        var (x, y, _, _) = Blobs();
        using var model = new RandomForest(new RandomForestOptions { Trees = 1, MaxFeatures = 5, Bootstrap = false }).FitModel(x, y);
        Assert.Equal(1.0, model.Score(x, y));
        var tree = model.Trees[0];
        Assert.Equal(tree.Nodes, 2 * tree.Leaves - 1); // a binary tree
        // Every leaf is pure: probability one for a single class.
        for (int node = 0; node < tree.Nodes; node++)
            if (tree.Feature[node] < 0) Assert.Equal(1f, tree.Value.Skip(node * 3).Take(3).Max());
    }

    [Fact]
    public void Gini_split_finds_the_separating_threshold()
    {
        // Feature 0 is noise, feature 1 separates the classes between 2 and 3: the root must split there.
        var x = tensor(new float[] { 5, 1, 0, 2, 9, 3, 1, 4, 7, 2.5f, 3, 6 }).view(6, 2);
        var y = tensor(new long[] { 0, 0, 1, 1, 0, 1 });
        using var model = new RandomForest(new RandomForestOptions { Trees = 1, MaxFeatures = 2, Bootstrap = false }).FitModel(x, y);
        var tree = model.Trees[0];
        Assert.Equal(1, tree.Feature[0]);
        Assert.Equal(2.75f, tree.Threshold[0]);
        Assert.Equal(3, tree.Nodes);
    }

    [Fact]
    public void Forest_is_reproducible_with_its_seed_and_generalises_on_blobs()
    {
        var (x, y, t, yt) = Blobs();
        using var a = new RandomForest(new RandomForestOptions { Trees = 30, Seed = 3 }).FitModel(x, y);
        using var b = new RandomForest(new RandomForestOptions { Trees = 30, Seed = 3, Threads = 1 }).FitModel(x, y);
        Assert.Equal(Values(a.PredictProbabilities(t)), Values(b.PredictProbabilities(t)));
        Assert.True(a.Score(t, yt) >= 0.85, $"forest accuracy {a.Score(t, yt)}");
        Assert.All(a.Trees, tree => Assert.True(tree.Depth() >= 2));
        Close(Enumerable.Repeat(1.0, 60).ToArray(), Values(a.PredictProbabilities(t).sum(1)), 1e-5, "forest probability sums");
    }

    [Fact]
    public void Tree_seeds_are_SplitMix64_outputs_so_a_seed_means_the_same_forest_in_every_process()
    {
        // Published SplitMix64 outputs (Vigna's splitmix64.c): from state 0, the first is 0xE220A8397B1DCDAF;
        // from state 1234567, 6457827717110365317. State = seed << 32 | tree.
        Assert.Equal(unchecked((int)0xE220A8397B1DCDAFUL), RandomForest.TreeSeed(0, 0));
        Assert.Equal(unchecked((int)6457827717110365317UL), RandomForest.TreeSeed(0, 1234567));
        Assert.NotEqual(RandomForest.TreeSeed(1, 0), RandomForest.TreeSeed(0, 1));
    }

    [Fact]
    public void Boosting_learns_the_blobs()
    {
        var (x, y, t, yt) = Blobs();
        using var model = new LightGbmBoost(new BoostOptions { Rounds = 30, MinSamplesLeaf = 5 }).Fit(x, y);
        Assert.True(model.Score(t, yt) >= 0.85, $"boost accuracy {model.Score(t, yt)}");
        Close(Enumerable.Repeat(1.0, 60).ToArray(), Values(model.PredictProbabilities(t).sum(1)), 1e-4, "boost probability sums");
    }

    [Fact]
    public void Pca_and_scaling_match_scikit_learn()
    {
        var (x, _, t, _) = Blobs();
        using var pca = (Pca.Fitted)new Pca(3).Fit(x);
        Close(Doubles("pca_explained_variance"), [.. pca.ExplainedVariance], 1e-3, "explained variance");
        var expected = Get("pca_transform").to_type(ScalarType.Float64);
        var actual = pca.Transform(t).to_type(ScalarType.Float64);
        for (int c = 0; c < 3; c++)
        {
            double sign = Math.Sign((expected.select(1, c) * actual.select(1, c)).sum().item<double>());
            Close(Values(expected.select(1, c)), Values(actual.select(1, c) * sign), 1e-3, $"PCA component {c}");
        }
        using var scaler = (StandardScaler.Fitted)new StandardScaler().Fit(x);
        var scaled = scaler.Transform(x).to_type(ScalarType.Float64);
        Close(new double[5], Values(scaled.mean([0L])), 1e-5, "scaled means");
        Close(Enumerable.Repeat(1.0, 5).ToArray(), Values(scaled.std(0, unbiased: false)), 1e-5, "scaled deviations");
    }

    [Fact]
    public void Labels_keep_their_values_and_order()
    {
        var (x, y, t, yt) = Blobs();
        var shifted = y * 10 + 7; // classes 7, 17, 27
        foreach (var learner in new ILearner[] { new Lda(), new KNearestNeighbors(), new RbfSvm(), new LogisticRegression() })
        {
            using var model = learner.Fit(x, shifted);
            Assert.Equal([7L, 17L, 27L], model.Classes);
            Assert.True(model.Score(t, yt * 10 + 7) > 0.8, learner.Name);
        }
    }

    [Fact]
    public void Pipeline_scales_then_projects_then_learns()
    {
        var (x, y, t, yt) = Blobs();
        var pipeline = new Pipeline([new StandardScaler(), new Pca(4)], new LogisticRegression());
        using var model = pipeline.Fit(x, y);
        Assert.Equal(5, model.Features);
        Assert.True(model.Score(t, yt) > 0.8);
        Assert.Equal("scale+pca4", pipeline.Parameters["preprocessing"]);
        Close(Enumerable.Repeat(1.0, 60).ToArray(), Values(model.PredictProbabilities(t).sum(1)), 1e-5, "pipeline probability sums");
    }

    public static TheoryData<string> Names => [.. LearnerCatalog.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_learner_rejects_bad_input_with_a_clear_message(string name)
    {
        var learner = LearnerCatalog.Create(name);
        var x = tensor(new float[] { 0, 1, 2, 3, 4, 5, 6, 7 }).view(4, 2);
        Assert.Contains("3 labels for 4 feature rows", Assert.Throws<DeepscopeException>(() => learner.Fit(x, tensor(new long[] { 0, 1, 0 }))).Message);
        Assert.Contains("single class", Assert.Throws<DeepscopeException>(() => learner.Fit(x, tensor(new long[] { 1, 1, 1, 1 }))).Message);
        Assert.Contains("0 rows", Assert.Throws<DeepscopeException>(() => learner.Fit(zeros(0, 2), zeros(0, ScalarType.Int64))).Message);
        var bad = x.clone();
        bad[2, 1] = tensor(float.NaN);
        Assert.Contains("row 2, column 1", Assert.Throws<DeepscopeException>(() => learner.Fit(bad, tensor(new long[] { 0, 1, 0, 1 }))).Message);
        bad[2, 1] = tensor(float.PositiveInfinity);
        Assert.Contains("non-finite", Assert.Throws<DeepscopeException>(() => learner.Fit(bad, tensor(new long[] { 0, 1, 0, 1 }))).Message);
    }

    [Fact]
    public void Unknown_models_and_parameters_are_named()
    {
        Assert.Contains("unknown model 'svm'", Assert.Throws<DeepscopeException>(() => LearnerCatalog.Create("svm")).Message);
        Assert.Contains("unknown parameter gama", Assert.Throws<DeepscopeException>(() => LearnerCatalog.Create("svm-rbf", new Dictionary<string, string> { ["gama"] = "1" })).Message);
        Assert.Contains("must be a number", Assert.Throws<DeepscopeException>(() => LearnerCatalog.Create("svm-rbf", new Dictionary<string, string> { ["C"] = "big" })).Message);
        var rbf = (RbfSvm)LearnerCatalog.Create("svm-rbf", new Dictionary<string, string> { ["C"] = "10", ["gamma"] = "auto" });
        Assert.Equal(10, rbf.Options.C);
        Assert.True(double.IsNaN(rbf.Options.Gamma!.Value));
    }

    [Fact]
    public void Prediction_checks_the_feature_count()
    {
        var (x, y, _, _) = Blobs();
        using var model = new Lda().Fit(x, y);
        Assert.Contains("trained on 5 features; got 3", Assert.Throws<DeepscopeException>(() => model.Predict(zeros(2, 3))).Message);
    }
}
