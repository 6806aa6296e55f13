using System.Diagnostics;
using System.Globalization;
using Deepscope.Data;
using Deepscope.Embedding;
using Deepscope.Features;
using Deepscope.IO;
using Deepscope.Learners;
using Deepscope.Learners.Evaluation;
using Deepscope.Reports;
using Deepscope.Training;
using static TorchSharp.torch;
using Cell = Deepscope.Studies.FeatureComparison.FeatureComparisonStudy.Cell;

namespace Deepscope.Studies.FeatureComparison;

/// <summary>The cells of the feature comparison as stages: their keys, how each is computed, and what each stored.</summary>
sealed class FeatureComparisonStages(FeatureComparisonOptions options, StudyContext context)
{
    public StageKey Key(Cell cell)
    {
        var data = new { cell.Dataset.Name, cell.Dataset.TrainSubset, cell.Dataset.TestSubset };
        if (cell.Feature is null)
        {
            var spec = options.Finetune!;
            return new StageKey("fine-tune", new { Data = data, Spec = spec with { Weights = spec.Weights is null ? null : context.ResolvePath(spec.Weights) }, context.Seed });
        }
        var features = FeatureExtraction.Key(cell.Dataset, cell.Feature, context).Definition;
        if (cell.EmbeddingMethod is { } method)
        {
            var plan = options.Embeddings!;
            return new StageKey("embedding", new { Features = features, Method = method, Params = plan.Params?.GetValueOrDefault(method), plan.Split, plan.Samples, context.Seed });
        }
        var learner = cell.Learner!;
        return new StageKey("learner", new
        {
            Features = features, Learner = learner.Name, Grid = learner.Grid.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(),
            options.Scale, options.Pca, Folds = options.CrossValidationFolds, context.Seed,
        });
    }

    public bool IsDone(Cell cell) => context.IsFinished(Key(cell));

    public EmbeddingFigure? Figure(Cell cell) => context.Lookup<EmbeddingFigure>(Key(cell))?.Value;

    public LearnerResult? Result(Cell cell) => context.Lookup<LearnerResult>(Key(cell))?.Value;

    public void Embed(Cell cell, FeatureSet set)
    {
        var plan = options.Embeddings!;
        var (method, feature, dataset) = (cell.EmbeddingMethod!, cell.Feature!, cell.Dataset.Name);
        context.Stage(Key(cell), $"embedding {method} of {feature.Label} on {dataset}", () =>
        {
            var (features, labels) = plan.Split == "train" ? (set.TrainFeatures, set.TrainLabels) : (set.TestFeatures, set.TestLabels);
            long n = Math.Min(plan.Samples, features.shape[0]);
            var embedder = Embedders.Create(method, plan.Params?.GetValueOrDefault(method)) with { Seed = context.Seed };
            using var x = features.narrow(0, 0, n);
            var result = embedder.Embed(x, context.Progress);
            using var points = result.ToTensor();
            var quality = EmbeddingQuality.Measure(x, points, seed: context.Seed);
            var y = labels.narrow(0, 0, n).data<long>().ToArray();
            var plot = EmbeddingPlot.Scatter(result, y, set.Info.Classes, new EmbeddingPlotOptions
            {
                Title = embedder.DisplayName, DataName = $"{feature.Label}, {dataset} {plan.Split}", Quality = quality, Seed = context.Seed,
            });
            // Relative to the run folder, so shards on machines that mount it elsewhere agree.
            var image = Path.Combine("embeddings", $"{dataset}-{Slug(feature.Label)}-{method}.png");
            var path = Path.Combine(context.RunDirectory, image);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            EmbeddingPlot.Save(plot, path);
            Npy.Write(Path.ChangeExtension(path, ".npy"), points);
            return new EmbeddingFigure(dataset, feature.Label, method, image, quality.Trustworthiness);
        });
    }

    /// <summary>The learner cells of one feature set: preprocessing is fitted once for all of them.</summary>
    public void Classify(IReadOnlyList<Cell> cells, FeatureSet set)
    {
        if (cells.Count == 0) return;
        var (dataset, feature) = (cells[0].Dataset.Name, cells[0].Feature!);
        using var scope = NewDisposeScope();
        var (xTrain, xTest) = Preprocess($"{feature.Label} ({dataset})", set.TrainFeatures, set.TestFeatures);
        var truth = set.TestLabels.data<long>().ToArray();
        foreach (var cell in cells)
        {
            var spec = cell.Learner!;
            context.Stage(Key(cell), $"learner {spec.Name} on {feature.Label} ({dataset})", () =>
            {
                var fixedParameters = spec.Grid.Where(p => p.Value.Count == 1).ToDictionary(p => p.Key, p => p.Value[0], StringComparer.Ordinal);
                if (spec.Name is "rf" or "boost" && !fixedParameters.ContainsKey("seed")) fixedParameters["seed"] = context.Seed.ToString(CultureInfo.InvariantCulture);
                var grid = spec.Grid.Where(p => p.Value.Count > 1).ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
                IReadOnlyDictionary<string, string> chosen = fixedParameters;
                double? cvAccuracy = null;
                if (grid.Count > 0)
                {
                    var search = GridSearch.Run(p => LearnerCatalog.Create(spec.Name, p), grid, xTrain, set.TrainLabels,
                        new StratifiedKFold(options.CrossValidationFolds, Shuffle: true, Seed: (int)context.Seed), fixedParameters, progress: context.Progress);
                    chosen = search.Best.Parameters;
                    cvAccuracy = search.Best.MeanAccuracy;
                }
                var fitClock = Stopwatch.StartNew();
                using var model = LearnerCatalog.Create(spec.Name, chosen).Fit(xTrain, set.TrainLabels);
                double fitSeconds = fitClock.Elapsed.TotalSeconds;
                var predictClock = Stopwatch.StartNew();
                using var predicted = model.Predict(xTest);
                double predictSeconds = predictClock.Elapsed.TotalSeconds;
                var classes = Enumerable.Range(0, set.Info.Classes.Count).Select(i => (long)i).ToArray();
                var metrics = ClassificationMetrics.Compute(truth, predicted.data<long>().ToArray(), classes);
                return new LearnerResult(dataset, feature.Label, spec.Name, chosen.Where(p => p.Key != "seed").ToDictionary(),
                    metrics.Accuracy, cvAccuracy, fitSeconds, predictSeconds, metrics.ConfusionMatrix, Scores(metrics, set.Info.Classes));
            });
        }
    }

    /// <summary>
    /// Fine-tunes (or trains from scratch) a CNN on the images through the training engine, evaluating on the test split
    /// after each epoch. Its checkpoints live in the stage's folder, so a killed fine-tune resumes from its last epoch.
    /// </summary>
    public void FineTune(Cell cell, LabeledImages train, LabeledImages test)
    {
        var spec = options.Finetune!;
        var dataset = cell.Dataset.Name;
        var key = Key(cell);
        var directory = context.Stages.ArtifactFolder(key, $"{dataset}-{spec.Model}");
        var weights = spec.Weights is null ? null : context.ResolvePath(spec.Weights);
        var label = weights is null ? $"{spec.Model} trained from scratch" : $"{spec.Model} fine-tuned ({spec.Mode})";
        context.Stage(key, $"fine-tune {label} on {dataset}", () =>
        {
            if (context.Force && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            Directory.CreateDirectory(directory);
            var mode = spec.Mode switch { "linear-probe" => FineTuneMode.LinearProbe, "last-layers" => FineTuneMode.LastLayers, _ => FineTuneMode.Full };
            // A linear probe trains the head on the frozen body's features, computed once; from scratch everything trains.
            var fineTune = weights is null ? null : new FineTuneOptions(mode, CacheFeatures: mode == FineTuneMode.LinearProbe);
            var (fit, eval) = (Examples.From(train), Examples.From(test));
            var setup = ClassifierSetup.Build(Models.ModelZoo.Get(spec.Model), fit, spec.ImageSize ?? train.ImageShape[1], context.Seed, fineTune, weights);
            using var model = setup.Model;
            // The same defaults as `deepscope train` and `deepscope finetune`, with the file's epochs, batch size and rate.
            var trainingOptions = ClassifierTraining.Defaults(spec.Epochs, spec.BatchSize, spec.LearningRate, context.Seed);
            var trainer = new Trainer(trainingOptions) { OutputDirectory = directory, Resume = true, Progress = context.Progress };
            var outcome = setup.Fit(trainer, fit, eval);
            RunRecord.SaveModel(directory, model);

            var predictClock = Stopwatch.StartNew();
            var (predictions, _) = Evaluation.Predict(model, eval, setup.Transform, trainingOptions.EvalBatchSize, progress: context.Progress);
            double predictSeconds = predictClock.Elapsed.TotalSeconds;
            ClassificationMetrics metrics;
            using (predictions) metrics = ClassificationMetrics.Compute(test.Labels, predictions, test.Classes.Count);
            var details = new FineTuneDetails(spec.Model, spec.Mode, weights, outcome.History.Count,
                outcome.History.Select(e => e.EvalAccuracy!.Value).ToList(), directory); // evaluated after every epoch
            return new LearnerResult(dataset, label, "fine-tune",
                new Dictionary<string, string>
                {
                    ["epochs"] = spec.Epochs.ToString(CultureInfo.InvariantCulture),
                    ["lr"] = spec.LearningRate.ToString(CultureInfo.InvariantCulture),
                    ["batch_size"] = spec.BatchSize.ToString(CultureInfo.InvariantCulture),
                },
                metrics.Accuracy, null, outcome.TrainingSeconds, predictSeconds, metrics.ConfusionMatrix, Scores(metrics, test.Classes), details);
        });
    }

    static List<ClassScore> Scores(ClassificationMetrics metrics, IReadOnlyList<string> classes) =>
        metrics.PerClass.Select(c => new ClassScore(classes[(int)c.Class], c.Precision, c.Recall, c.F1, c.Support)).ToList();

    /// <summary>Scaling and PCA as configured, fitted on the training features; timed (PCA of wide features is slow).</summary>
    (Tensor Train, Tensor Test) Preprocess(string what, Tensor train, Tensor test)
    {
        var steps = new List<(string Name, IPreprocessor Step)>();
        if (options.Scale) steps.Add(("scale", new StandardScaler()));
        if (options.Pca is { } k) steps.Add(($"pca {k}", new Pca(k)));
        if (steps.Count == 0) return (train, test);
        return context.Time($"preprocess {string.Join(" + ", steps.Select(s => s.Name))} of {what}", () =>
        {
            foreach (var (_, step) in steps)
            {
                using var fitted = step.Fit(train);
                (train, test) = (fitted.Transform(train), fitted.Transform(test));
            }
            return (train, test);
        });
    }

    static string Slug(string label) =>
        System.Text.RegularExpressions.Regex.Replace(label, "[^A-Za-z0-9=]+", "-").Trim('-');
}
