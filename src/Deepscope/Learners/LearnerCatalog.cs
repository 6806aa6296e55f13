using Deepscope.Catalogs;

namespace Deepscope.Learners;

/// <summary>The learners by the names the CLI and experiment files take, each with scikit-learn's defaults.</summary>
public static class LearnerCatalog
{
    // "model": the CLI picks a learner with --model, so "unknown model 'svm'" names the option the user typed.
    public static Catalog<ILearner> Catalog { get; } = new Catalog<ILearner>("model")
        .Add("lda", "linear discriminant analysis (shared covariance, optional shrinkage)", () => new LdaOptions(), o => new Lda(o))
        .Add("logreg", "multinomial logistic regression, L2, L-BFGS", () => new LogisticRegressionOptions(), o => new LogisticRegression(o))
        .Add("svm-linear", "linear SVM, one-vs-rest, squared hinge, L-BFGS", () => new LinearSvmOptions(), o => new LinearSvm(o))
        .Add("svm-rbf", "exact RBF-kernel SVM, one-vs-one, SMO", () => new RbfSvmOptions(), o => new RbfSvm(o))
        .Add("rf", "random forest of CART trees (Gini)", () => new RandomForestOptions(), o => new RandomForest(o))
        .Add("knn", "k nearest neighbours, Euclidean", () => new KNearestOptions(), o => new KNearestNeighbors(o))
        .Add("boost", "gradient-boosted trees (LightGBM through ML.NET)", () => new BoostOptions(), o => new LightGbmBoost(o))
        .Add("nb", "Gaussian naive Bayes (per-class feature means and variances)", () => new GaussianNaiveBayesOptions(), o => new GaussianNaiveBayes(o))
        .Add("logreg-mlnet", "ML.NET's L-BFGS maximum entropy, to compare with logreg", () => new LogisticRegressionOptions(), o => new MlNetLogisticRegression(o));

    public static IReadOnlyList<string> Names => Catalog.Names;

    /// <summary>Builds learner <paramref name="name"/>; unknown names or parameters are user errors.</summary>
    public static ILearner Create(string name, IReadOnlyDictionary<string, string>? parameters = null) => Catalog.Create(name, parameters);
}
