using Deepscope.Catalogs;
using Deepscope.Numerics;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Deepscope.Cli.Terminal;
using Deepscope.Features;
using Deepscope.IO;
using Deepscope.Learners;
using Deepscope.Learners.Evaluation;
using Deepscope.Runtime;
using Spectre.Console;
using static TorchSharp.torch;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope classify</c>: a classical learner on feature matrices, evaluated on a test set or by cross-validation.</summary>
static class ClassifyCommands
{
    public static Command Create()
    {
        var trainFeatures = new Option<string?>("--train-features") { Description = "Training features (N, D) .npy (float32/float64; extra dimensions are flattened)" };
        var trainLabels = new Option<string?>("--train-labels") { Description = "Training labels (N) .npy (integers)" };
        var testFeatures = new Option<string?>("--test-features") { Description = "Test features .npy" };
        var testLabels = new Option<string?>("--test-labels") { Description = "Test labels .npy" };
        var featuresDir = new Option<string?>("--features-dir") { Description = "A feature extractor's output: train_features.npy, train_labels.npy, test_features.npy, test_labels.npy (+ features.json)" };
        var model = new Option<string>("--model") { Description = $"Learner: {string.Join(", ", LearnerCatalog.Names)}", DefaultValueFactory = _ => "svm-rbf" };
        var param = new Option<string[]>("--param") { Description = "Hyper-parameter name=value (repeatable), e.g. C=10, gamma=scale, k=5, n_estimators=200", AllowMultipleArgumentsPerToken = false };
        var scale = new Option<bool>("--scale") { Description = "Standardise features (mean 0, variance 1, learned on the training rows)" };
        var pca = new Option<int?>("--pca") { Description = "Project on the first K principal components (after --scale)" };
        var cv = new Option<int?>("--cv") { Description = "Stratified K-fold cross-validation on the training set instead of a test set" };
        var logo = new Option<bool>("--leave-one-group-out") { Description = "Leave-one-group-out cross-validation on the training set (needs --groups); also reports a majority vote per group" };
        var groups = new Option<string?>("--groups") { Description = "Group of every training row (N) .npy (e.g. the painting a patch came from)" };
        var grid = new Option<string[]>("--grid") { Description = "Grid search: name=v1,v2,... (repeatable); scored by cross-validation (--cv, default 5), best refitted on all training rows" };
        var seed = CommonOptions.Seed("fold shuffling and of learners with a seed parameter (rf, boost) unless --param seed= is given");
        var threads = CommonOptions.Threads();
        var output = new Option<string?>("--output") { Description = "Write the metrics as JSON here (model, params, accuracy, fit_seconds, predict_seconds, confusion_matrix, per_class, ...)" };
        var command = new Command("classify", "Train and evaluate a classical learner (LDA, logistic regression, SVMs, random forest, k-NN, boosting) on feature files")
        {
            trainFeatures, trainLabels, testFeatures, testLabels, featuresDir, model, param, scale, pca, cv, logo, groups, grid, seed, threads, output,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var files = FeatureFiles.Resolve(parse.GetValue(featuresDir), parse.GetValue(trainFeatures), parse.GetValue(trainLabels),
                parse.GetValue(testFeatures), parse.GetValue(testLabels));
            var request = new Request(parse.GetValue(model)!, OptionsBinder.ParsePairs(parse.GetValue(param) ?? []), parse.GetValue(scale), parse.GetValue(pca),
                parse.GetValue(cv), parse.GetValue(logo), parse.GetValue(groups), ParseGrid(parse.GetValue(grid) ?? []), parse.GetValue(seed), parse.GetValue(output));
            return Run(files, request);
        });
        return command;
    }

    sealed record Request(string Model, Dictionary<string, string> Params, bool Scale, int? Pca, int? Cv, bool LeaveOneGroupOut, string? Groups,
        Dictionary<string, string[]> Grid, long Seed, string? Output)
    {
        public ILearner Learner(IReadOnlyDictionary<string, string> parameters)
        {
            var steps = new List<IPreprocessor>();
            if (Scale) steps.Add(new StandardScaler());
            if (Pca is int k) steps.Add(new Pca(k));
            // --seed also seeds learners that draw random numbers, unless the user set their seed.
            var entry = LearnerCatalog.Catalog.Get(Model);
            if (entry.Parameters.Any(p => p.Name == "seed") && !parameters.ContainsKey("seed"))
                parameters = new Dictionary<string, string>(parameters) { ["seed"] = Seed.ToString(CultureInfo.InvariantCulture) };
            return new Pipeline(steps, entry.Create(parameters));
        }

        int FoldSeed => Seed is >= int.MinValue and <= int.MaxValue ? (int)Seed : throw new DeepscopeException($"--seed {Seed} is too large (at most {int.MaxValue})");

        public ISplitter? Splitter() => LeaveOneGroupOut ? new LeaveOneGroupOut()
            : Cv is int k ? new StratifiedKFold(k, Shuffle: true, FoldSeed)
            : Grid.Count > 0 ? new StratifiedKFold(5, Shuffle: true, FoldSeed) : null;
    }

    static Dictionary<string, string[]> ParseGrid(string[] entries) =>
        OptionsBinder.ParsePairs(entries).ToDictionary(p => p.Key, p => p.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    static int Run(FeatureFiles files, Request request)
    {
        if (request.LeaveOneGroupOut && request.Groups == null) throw new DeepscopeException("--leave-one-group-out needs --groups g.npy");
        if (request.Groups != null && !request.LeaveOneGroupOut) throw new DeepscopeException("--groups is only used with --leave-one-group-out");
        if (request.LeaveOneGroupOut && request.Cv != null) throw new DeepscopeException("choose --cv K or --leave-one-group-out, not both");
        foreach (var name in request.Grid.Keys.Intersect(request.Params.Keys))
            throw new DeepscopeException($"{name} is given both by --param and --grid");
        // Check names and values before any data is read.
        foreach (var combination in GridSearch.Combinations(request.Grid, request.Params)) request.Learner(combination);

        using var xTrain = FeatureFiles.ReadFeatures(files.TrainFeatures);
        using var yTrain = FeatureFiles.ReadLabels(files.TrainLabels, xTrain.shape[0]);
        var classNames = files.ClassNames();
        var splitter = request.Splitter();
        var parameters = new Dictionary<string, string>(request.Params);
        GridSearch.Result? search = null;
        if (request.Grid.Count > 0)
        {
            search = CliProgress.Run(p => GridSearch.Run(request.Learner, request.Grid, xTrain, yTrain, splitter!, request.Params, null, p));
            parameters = new Dictionary<string, string>(search.Best.Parameters);
            PrintGrid(search);
        }
        if (splitter != null && (search == null || files.TestFeatures == null))
        {
            long[]? groupIds = null;
            if (request.Groups != null)
            {
                using var g = FeatureFiles.ReadLabels(request.Groups, xTrain.shape[0], "groups");
                groupIds = g.data<long>().ToArray();
            }
            var learner = request.Learner(parameters);
            var result = CliProgress.Run(p => CrossValidation.Run(learner, xTrain, yTrain, splitter, groupIds, p));
            return ReportCrossValidation(request, learner, result, groupIds, classNames, search);
        }
        if (files.TestFeatures == null || files.TestLabels == null)
            throw new DeepscopeException("no test set: give --test-features and --test-labels (or --features-dir), or evaluate by --cv K / --leave-one-group-out");
        return TrainAndTest(request, parameters, xTrain, yTrain, files, classNames, search);
    }

    static int TrainAndTest(Request request, Dictionary<string, string> parameters, Tensor xTrain, Tensor yTrain, FeatureFiles files, IReadOnlyList<string>? classNames, GridSearch.Result? search)
    {
        using var xTest = FeatureFiles.ReadFeatures(files.TestFeatures!);
        using var yTest = FeatureFiles.ReadLabels(files.TestLabels!, xTest.shape[0]);
        if (xTest.shape[1] != xTrain.shape[1])
            throw new DeepscopeException($"{files.TestFeatures}: {xTest.shape[1]} features per row, but the training features have {xTrain.shape[1]}");
        var learner = request.Learner(parameters);
        var clock = Stopwatch.StartNew();
        using var model = learner.Fit(xTrain, yTrain);
        double fitSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        using var predictedTensor = model.Predict(xTest);
        double predictSeconds = clock.Elapsed.TotalSeconds;
        var predicted = predictedTensor.data<long>().ToArray();
        var truth = yTest.data<long>().ToArray();
        var scores = model is Classifier c && truth.Distinct().Count() <= 2 && truth.All(model.Classes.Contains) ? c.PositiveScores(xTest) : null;
        var metrics = ClassificationMetrics.Compute(truth, predicted, model.Classes, scores);
        var names = NamesFor(classNames, metrics.Classes);
        PrintMetrics(metrics, names, $"{learner.Name} on {Path.GetFileName(files.TestFeatures)}: {truth.Length:N0} test rows, fit {fitSeconds:F2}s ({xTrain.shape[0]:N0} rows), predict {predictSeconds:F2}s");
        if (request.Output is { } path)
        {
            MetricsJson.Write(path, metrics, json => Header(json, learner, "train/test", xTrain, fitSeconds, predictSeconds, files),
                names, json => Trailer(json, search));
            Console.WriteLine($"metrics written to {path}");
        }
        return 0;
    }

    static int ReportCrossValidation(Request request, ILearner learner, CrossValidationResult result, long[]? groups, IReadOnlyList<string>? classNames, GridSearch.Result? search)
    {
        var metrics = result.Pooled!;
        var names = NamesFor(classNames, metrics.Classes);
        PrintMetrics(metrics, names, $"{learner.Name}, {result.Splitter} ({result.Folds.Count} folds): accuracy {result.MeanAccuracy:P2} ± {result.StdAccuracy:P2} over folds, out-of-fold predictions below");
        GroupVoting.Result? vote = groups != null ? GroupVoting.Vote(result.Truth, result.OutOfFold!, groups) : null;
        if (vote != null)
            AnsiConsole.MarkupLine($"majority vote per group: [bold]{vote.Metrics.Accuracy:P2}[/] of {vote.Groups.Length} groups right ({vote.Groups.Length - vote.Groups.Where((_, i) => vote.Truth[i] == vote.Predicted[i]).Count()} wrong)");
        if (request.Output is { } path)
        {
            MetricsJson.Write(path, metrics, json => Header(json, learner, result.Splitter, null, result.FitSeconds, result.PredictSeconds, null), names, json =>
            {
                json.WriteNumber("mean_fold_accuracy", result.MeanAccuracy);
                json.WriteNumber("std_fold_accuracy", result.StdAccuracy);
                json.WriteStartArray("folds");
                foreach (var f in result.Folds)
                {
                    json.WriteStartObject();
                    json.WriteNumber("fold", f.Index);
                    json.WriteNumber("train", f.TrainCount);
                    json.WriteNumber("test", f.TestCount);
                    json.WriteNumber("accuracy", f.Accuracy);
                    json.WriteNumber("fit_seconds", f.FitSeconds);
                    json.WriteNumber("predict_seconds", f.PredictSeconds);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                if (vote != null)
                {
                    json.WriteStartObject("group_vote");
                    MetricsJson.WriteMetrics(json, vote.Metrics, NamesFor(classNames, vote.Metrics.Classes));
                    json.WriteStartArray("groups");
                    for (int i = 0; i < vote.Groups.Length; i++)
                    {
                        json.WriteStartObject();
                        json.WriteNumber("group", vote.Groups[i]);
                        json.WriteNumber("truth", vote.Truth[i]);
                        json.WriteNumber("predicted", vote.Predicted[i]);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                Trailer(json, search);
            });
            Console.WriteLine($"metrics written to {path}");
        }
        return 0;
    }

    static void Header(Utf8JsonWriter json, ILearner learner, string evaluation, Tensor? xTrain, double fitSeconds, double predictSeconds, FeatureFiles? files)
    {
        json.WriteString("model", learner.Name);
        MetricsJson.WriteDictionary(json, "params", learner.Parameters);
        json.WriteString("evaluation", evaluation);
        json.WriteNumber("fit_seconds", fitSeconds);
        json.WriteNumber("predict_seconds", predictSeconds);
        if (xTrain is not null)
        {
            json.WriteNumber("train_rows", xTrain.shape[0]);
            json.WriteNumber("features", xTrain.shape[1]);
        }
        if (files != null)
        {
            json.WriteString("train_features", Path.GetFullPath(files.TrainFeatures));
            if (files.TestFeatures != null) json.WriteString("test_features", Path.GetFullPath(files.TestFeatures));
        }
        MetricsJson.WriteDictionary(json, "versions", TorchRuntime.Versions());
    }

    static void Trailer(Utf8JsonWriter json, GridSearch.Result? search)
    {
        if (search == null) return;
        json.WriteStartArray("grid_search");
        foreach (var c in search.Candidates)
        {
            json.WriteStartObject();
            MetricsJson.WriteDictionary(json, "params", c.Parameters);
            json.WriteNumber("mean_accuracy", c.MeanAccuracy);
            json.WriteNumber("std_accuracy", c.StdAccuracy);
            json.WriteNumber("seconds", c.Seconds);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    static IReadOnlyList<string>? NamesFor(IReadOnlyList<string>? classNames, long[] classes) =>
        classNames != null && classes.All(c => c >= 0 && c < classNames.Count) ? classes.Select(c => classNames[(int)c]).ToList() : null;

    static void PrintMetrics(ClassificationMetrics metrics, IReadOnlyList<string>? names, string title)
    {
        var console = AnsiConsole.Console;
        console.MarkupLine(Markup.Escape(title));
        var table = new Table().AddColumns("class", "precision", "recall", "f1", "support");
        for (int i = 0; i < metrics.PerClass.Count; i++)
        {
            var s = metrics.PerClass[i];
            table.AddRow(Markup.Escape(names != null ? $"{s.Class} {names[i]}" : s.Class.ToString(CultureInfo.InvariantCulture)),
                s.Precision.ToString("F4", CultureInfo.InvariantCulture), s.Recall.ToString("F4", CultureInfo.InvariantCulture),
                s.F1.ToString("F4", CultureInfo.InvariantCulture), s.Support.ToString("N0", CultureInfo.InvariantCulture));
        }
        console.Write(table);
        console.MarkupLine($"accuracy [bold]{metrics.Accuracy.ToString("P2", CultureInfo.InvariantCulture)}[/], macro F1 {metrics.MacroF1.ToString("F4", CultureInfo.InvariantCulture)}, micro F1 {metrics.MicroF1.ToString("F4", CultureInfo.InvariantCulture)}"
            + (metrics.RocAuc is double auc ? $", ROC AUC {auc.ToString("F4", CultureInfo.InvariantCulture)}" : ""));
    }

    static void PrintGrid(GridSearch.Result search)
    {
        var table = new Table().AddColumns("parameters", "mean accuracy", "std", "seconds");
        foreach (var c in search.Candidates)
            table.AddRow(Markup.Escape(string.Join(" ", c.Parameters.Select(p => $"{p.Key}={p.Value}"))), c.MeanAccuracy.ToString("F4", CultureInfo.InvariantCulture),
                c.StdAccuracy.ToString("F4", CultureInfo.InvariantCulture), c.Seconds.ToString("F1", CultureInfo.InvariantCulture));
        AnsiConsole.Console.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape($"best: {string.Join(" ", search.Best.Parameters.Select(p => $"{p.Key}={p.Value}"))}"));
    }
}
