using Deepscope.Catalogs;
using Deepscope.Learners;

namespace Deepscope.Tests.Catalogs;

/// <summary>The one binder as users meet it through the learners: words, aliases, ranges, typos and round trips.</summary>
public class LearnerParameterTests
{
    static ILearner Create(string name, params (string Key, string Value)[] values) =>
        LearnerCatalog.Create(name, values.ToDictionary(v => v.Key, v => v.Value));

    static string Error(string name, params (string Key, string Value)[] values) =>
        Assert.Throws<DeepscopeException>(() => Create(name, values)).Message;

    [Fact]
    public void Words_stand_for_values()
    {
        Assert.Null(((RbfSvm)Create("svm-rbf", ("gamma", "scale"))).Options.Gamma);
        Assert.True(double.IsNaN(((RbfSvm)Create("svm-rbf", ("gamma", "AUTO"))).Options.Gamma!.Value));
        Assert.Equal(0.25, ((RbfSvm)Create("svm-rbf", ("gamma", "0.25"))).Options.Gamma);
        Assert.True(((KNearestNeighbors)Create("knn", ("weights", "distance"))).Options.DistanceWeighted);
        Assert.False(((KNearestNeighbors)Create("knn", ("weights", "uniform"))).Options.DistanceWeighted);
        Assert.Null(((RandomForest)Create("rf", ("max_features", "sqrt"))).Options.MaxFeatures);
        Assert.Equal(7, ((RandomForest)Create("rf", ("max_features", "7"))).Options.MaxFeatures);
        Assert.Null(((LightGbmBoost)Create("boost", ("threads", "all"))).Options.Threads);
        Assert.Null(((Lda)Create("lda", ("shrinkage", "none"))).Options.Shrinkage);
        Assert.True(double.IsNaN(((Lda)Create("lda", ("shrinkage", "auto"))).Options.Shrinkage!.Value));
        Assert.Null(((RandomForest)Create("rf", ("max_depth", "none"))).Options.MaxDepth);
        Assert.False(((RandomForest)Create("rf", ("bootstrap", "false"))).Options.Bootstrap);
    }

    [Fact]
    public void Knn_takes_n_neighbors_as_another_name_for_k()
    {
        Assert.Equal(9, ((KNearestNeighbors)Create("knn", ("n_neighbors", "9"))).Options.K);
        Assert.Equal(3, ((KNearestNeighbors)Create("knn", ("k", "3"))).Options.K);
    }

    [Fact]
    public void Bad_values_are_one_line_errors_naming_learner_and_parameter()
    {
        Assert.Equal("lda: parameter 'shrinkage' must be between 0 and 1; got 1.5", Error("lda", ("shrinkage", "1.5")));
        Assert.Equal("knn: parameter 'k' must be at least 1; got 0", Error("knn", ("k", "0")));
        Assert.Equal("knn: parameter 'weights' must be true or false or one of uniform, distance; got 'far'", Error("knn", ("weights", "far")));
        Assert.Equal("rf: parameter 'bootstrap' must be true or false; got 'maybe'", Error("rf", ("bootstrap", "maybe")));
        Assert.Equal("logreg: parameter 'max_iter' must be a whole number; got '1.5'", Error("logreg", ("max_iter", "1.5")));
        Assert.StartsWith("svm-rbf: parameter 'gamma' must be a number or one of scale, auto", Error("svm-rbf", ("gamma", "wide")));
        Assert.All(new[] { Error("lda", ("shrinkage", "1.5")), Error("knn", ("k", "0")) }, m => Assert.DoesNotContain('\n', m));
    }

    [Fact]
    public void A_typo_names_the_known_parameters_and_suggests_the_closest()
    {
        var message = Error("rf", ("n_estimator", "10"));
        Assert.StartsWith("rf: unknown parameter n_estimator (known: n_estimators, max_features,", message);
        Assert.EndsWith("did you mean 'n_estimators'?", message);
        // Far from every name: no suggestion.
        Assert.DoesNotContain("did you mean", Error("logreg", ("penalty", "l1")));
        Assert.Contains("unknown model 'svm' (known: lda, logreg, svm-linear, svm-rbf, rf, knn, boost, nb, logreg-mlnet)",
            Assert.Throws<DeepscopeException>(() => LearnerCatalog.Create("svm")).Message);
    }

    public static TheoryData<string> Names => [.. LearnerCatalog.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void Reported_parameters_bind_back_to_the_same_options(string name)
    {
        // What a run record stores (learner.Parameters) must rebuild the same learner: every word and number round-trips.
        var changed = LearnerCatalog.Catalog.Get(name).Parameters
            .ToDictionary(p => p.Name, p => p.Choices.Count > 0 ? p.Choices[^1] : p.Kind switch { "integer" => "3", "number" => "0.5", "boolean" => "false", _ => p.Default });
        var learner = LearnerCatalog.Create(name, changed);
        var again = LearnerCatalog.Create(name, learner.Parameters);
        Assert.Equal(learner.Parameters, again.Parameters);
        Assert.Equal(changed.Keys.Order(), learner.Parameters.Keys.Order());
        Assert.Equal((object)((dynamic)learner).Options, (object)((dynamic)again).Options);
    }

    [Fact]
    public void Defaults_are_scikit_learns()
    {
        Assert.Equal(new Dictionary<string, string> { ["C"] = "1", ["gamma"] = "scale", ["tol"] = "0.001", ["cache_mb"] = "1024", ["max_iter"] = "10000000" },
            LearnerCatalog.Create("svm-rbf").Parameters);
        Assert.Equal(new Dictionary<string, string> { ["k"] = "5", ["weights"] = "uniform" }, LearnerCatalog.Create("knn").Parameters);
        Assert.Equal("sqrt", LearnerCatalog.Create("rf").Parameters["max_features"]);
        Assert.Equal("1E-09", LearnerCatalog.Create("nb").Parameters["var_smoothing"]);
    }
}
