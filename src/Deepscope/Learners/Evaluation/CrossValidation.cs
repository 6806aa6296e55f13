using System.Diagnostics;
using static TorchSharp.torch;

namespace Deepscope.Learners.Evaluation;

/// <summary>Figures of one fold.</summary>
public sealed record FoldResult(int Index, int TrainCount, int TestCount, double Accuracy, double FitSeconds, double PredictSeconds);

/// <summary>
/// The outcome of cross-validation: per-fold figures and, when the folds' test sets partition the rows (k-fold,
/// leave-one-out, leave-one-group-out), the out-of-fold prediction of every row and metrics pooled over them.
/// </summary>
public sealed record CrossValidationResult(string Splitter, IReadOnlyList<FoldResult> Folds, long[] Truth, long[]? OutOfFold, ClassificationMetrics? Pooled)
{
    public double MeanAccuracy => Folds.Average(f => f.Accuracy);

    /// <summary>Standard deviation of the fold accuracies (population, as scikit-learn's cv_results_ std).</summary>
    public double StdAccuracy => Math.Sqrt(Folds.Average(f => (f.Accuracy - MeanAccuracy) * (f.Accuracy - MeanAccuracy)));

    public double FitSeconds => Folds.Sum(f => f.FitSeconds);
    public double PredictSeconds => Folds.Sum(f => f.PredictSeconds);
}

public static class CrossValidation
{
    /// <summary>Fits <paramref name="learner"/> on each fold's training rows and predicts its test rows.</summary>
    public static CrossValidationResult Run(ILearner learner, Tensor x, Tensor y, ISplitter splitter, long[]? groups = null, IProgressReporter? progress = null)
    {
        // Checked whole first, so an error names the row of x, not of a fold.
        LearnerInput.Check(x, y);
        var truth = LearnerInput.Labels(y, x.shape[0]);
        var folds = splitter.Split(truth, groups).ToList();
        var outOfFold = new long[truth.Length];
        var covered = new int[truth.Length];
        var results = new List<FoldResult>(folds.Count);
        using var task = (progress ?? NoProgress.Instance).Start($"{learner.Name}, {splitter.Name}", folds.Count, "folds");
        for (int f = 0; f < folds.Count; f++)
        {
            var fold = folds[f];
            using var scope = NewDisposeScope();
            var trainRows = tensor(Array.ConvertAll(fold.Train, i => (long)i));
            var testRows = tensor(Array.ConvertAll(fold.Test, i => (long)i));
            var clock = Stopwatch.StartNew();
            using var model = learner.Fit(x.index_select(0, trainRows), y.index_select(0, trainRows));
            double fit = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var predicted = model.Predict(x.index_select(0, testRows)).data<long>().ToArray();
            double predict = clock.Elapsed.TotalSeconds;
            int correct = 0;
            for (int i = 0; i < fold.Test.Length; i++)
            {
                outOfFold[fold.Test[i]] = predicted[i];
                covered[fold.Test[i]]++;
                if (predicted[i] == truth[fold.Test[i]]) correct++;
            }
            results.Add(new FoldResult(f, fold.Train.Length, fold.Test.Length, (double)correct / fold.Test.Length, fit, predict));
            task.Advance(1);
        }
        bool partition = covered.All(c => c == 1);
        return new CrossValidationResult(splitter.Name, results, truth, partition ? outOfFold : null,
            partition ? ClassificationMetrics.Compute(truth, outOfFold, truth.Distinct().Order().ToArray()) : null);
    }
}

/// <summary>
/// Decisions per group by majority vote (e.g. one verdict per painting from its patches): a group's true label is
/// the most common true label of its rows, its predicted label the most common prediction; ties go to the lower label.
/// </summary>
public static class GroupVoting
{
    public sealed record Result(long[] Groups, long[] Truth, long[] Predicted, ClassificationMetrics Metrics);

    public static Result Vote(long[] truth, long[] predicted, long[] groups)
    {
        if (truth.Length != predicted.Length || truth.Length != groups.Length)
            throw new DeepscopeException($"group vote: {truth.Length} labels, {predicted.Length} predictions and {groups.Length} groups must match");
        var ids = groups.Distinct().Order().ToArray();
        var byGroup = Enumerable.Range(0, groups.Length).GroupBy(i => groups[i]).ToDictionary(g => g.Key, g => g.ToArray());
        long Majority(IEnumerable<long> labels) => labels.GroupBy(l => l).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        var groupTruth = ids.Select(g => Majority(byGroup[g].Select(i => truth[i]))).ToArray();
        var groupPredicted = ids.Select(g => Majority(byGroup[g].Select(i => predicted[i]))).ToArray();
        var classes = truth.Concat(predicted).Distinct().Order().ToArray();
        return new Result(ids, groupTruth, groupPredicted, ClassificationMetrics.Compute(groupTruth, groupPredicted, classes));
    }
}

/// <summary>Exhaustive search over hyper-parameter combinations, each scored by cross-validated mean accuracy.</summary>
public static class GridSearch
{
    public sealed record Candidate(IReadOnlyDictionary<string, string> Parameters, double MeanAccuracy, double StdAccuracy, double Seconds);

    public sealed record Result(IReadOnlyList<Candidate> Candidates)
    {
        /// <summary>The highest mean accuracy; the first such candidate in grid order on ties.</summary>
        public Candidate Best => Candidates.Aggregate((a, b) => b.MeanAccuracy > a.MeanAccuracy ? b : a);
    }

    /// <summary>The cartesian product of the value lists, in order (first parameter slowest), on top of <paramref name="fixedParameters"/>.</summary>
    public static IEnumerable<Dictionary<string, string>> Combinations(IReadOnlyDictionary<string, string[]> grid, IReadOnlyDictionary<string, string>? fixedParameters = null)
    {
        IEnumerable<Dictionary<string, string>> all = [new Dictionary<string, string>(fixedParameters ?? new Dictionary<string, string>(), StringComparer.Ordinal)];
        foreach (var (name, values) in grid)
        {
            if (values.Length == 0) throw new DeepscopeException($"grid parameter {name} has no values");
            all = all.SelectMany(p => values.Select(v => new Dictionary<string, string>(p, StringComparer.Ordinal) { [name] = v })).ToList();
        }
        return all;
    }

    /// <param name="createLearner">Builds the learner for one combination (e.g. through <see cref="LearnerCatalog.Create"/>).</param>
    public static Result Run(Func<IReadOnlyDictionary<string, string>, ILearner> createLearner, IReadOnlyDictionary<string, string[]> grid,
        Tensor x, Tensor y, ISplitter splitter, IReadOnlyDictionary<string, string>? fixedParameters = null, long[]? groups = null, IProgressReporter? progress = null)
    {
        var candidates = new List<Candidate>();
        foreach (var parameters in Combinations(grid, fixedParameters))
        {
            var clock = Stopwatch.StartNew();
            var cv = CrossValidation.Run(createLearner(parameters), x, y, splitter, groups, progress);
            candidates.Add(new Candidate(parameters, cv.MeanAccuracy, cv.StdAccuracy, clock.Elapsed.TotalSeconds));
        }
        return new Result(candidates);
    }
}
