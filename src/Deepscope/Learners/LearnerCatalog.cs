namespace Deepscope.Learners;

/// <summary>The learners by the names the CLI takes, built from <c>name=value</c> hyper-parameters.</summary>
public static class LearnerCatalog
{
    public static IReadOnlyList<string> Names { get; } = ["lda", "logreg", "svm-linear", "svm-rbf", "rf", "knn", "boost", "logreg-mlnet"];

    /// <summary>Builds learner <paramref name="name"/>; unknown names or parameters are user errors.</summary>
    public static ILearner Create(string name, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var p = new Param.Reader(name, parameters ?? new Dictionary<string, string>());
        ILearner learner = name switch
        {
            "lda" => new Lda(new LdaOptions(
                Shrinkage: p.Text("shrinkage") switch { null or "none" => null, "auto" => double.NaN, var s => p.ParseDouble("shrinkage", s) },
                Tolerance: p.Double("tol", 1e-4),
                Components: p.NullableInt("n_components", null))),
            "logreg" => new LogisticRegression(new LogisticRegressionOptions(p.Double("C", 1), p.Int("max_iter", 100), p.Double("tol", 1e-4))),
            "logreg-mlnet" => new MlNetLogisticRegression(new LogisticRegressionOptions(p.Double("C", 1), p.Int("max_iter", 100), p.Double("tol", 1e-4))),
            "svm-linear" => new LinearSvm(new LinearSvmOptions(p.Double("C", 1), p.Int("max_iter", 100), p.Double("tol", 1e-4))),
            "svm-rbf" => new RbfSvm(new RbfSvmOptions(
                C: p.Double("C", 1),
                Gamma: p.Text("gamma") switch { null or "scale" => null, "auto" => double.NaN, var g => p.ParseDouble("gamma", g) },
                Tolerance: p.Double("tol", 1e-3),
                CacheMegabytes: p.Int("cache_mb", 1024))),
            "rf" => new RandomForest(new RandomForestOptions(
                Trees: p.Int("n_estimators", 100),
                MaxFeatures: p.Text("max_features") switch { null or "sqrt" => null, var f => p.Int("max_features", 0) },
                MaxDepth: p.NullableInt("max_depth", null),
                MinSamplesSplit: p.Int("min_samples_split", 2),
                MinSamplesLeaf: p.Int("min_samples_leaf", 1),
                Bootstrap: p.Text("bootstrap") switch { null or "true" => true, "false" => false, var b => throw new DeepscopeException($"rf: bootstrap must be true or false; got '{b}'") },
                Seed: p.Int("seed", 0),
                Threads: p.NullableInt("threads", null))),
            "knn" => new KNearestNeighbors(new KNearestOptions(
                K: p.Int("k", p.Int("n_neighbors", 5)),
                DistanceWeighted: p.Text("weights") switch { null or "uniform" => false, "distance" => true, var w => throw new DeepscopeException($"knn: weights must be uniform or distance; got '{w}'") })),
            "boost" => new LightGbmBoost(new BoostOptions(
                Rounds: p.Int("n_estimators", 100), LearningRate: p.Double("learning_rate", 0.1), Leaves: p.Int("num_leaves", 31),
                MinSamplesLeaf: p.Int("min_samples_leaf", 20), Threads: p.NullableInt("threads", 1), Seed: p.Int("seed", 0))),
            _ => throw new DeepscopeException($"unknown model '{name}'; choose one of {string.Join(", ", Names)}"),
        };
        p.EnsureAllUsed();
        return learner;
    }
}
