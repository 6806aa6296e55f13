using System.Diagnostics;
using System.Text.Json;
using Deepscope.Data;
using Deepscope.Embedding;
using Deepscope.Features;
using Deepscope.IO;
using Deepscope.Learners;
using Deepscope.Learners.Evaluation;
using Deepscope.Reports;
using Deepscope.Runtime;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Experiments;

/// <summary>Where a run writes and reads, and whether it may reuse or download.</summary>
/// <param name="OutputDirectory">The run folder: results, plots, record and report.</param>
/// <param name="CacheDirectory">Feature cache (default: $DEEPSCOPE_CACHE, else ~/.cache/deepscope/features).</param>
/// <param name="Force">Recompute cached features and results.</param>
public sealed record RunOptions(string OutputDirectory, string? DataDirectory = null, string? CacheDirectory = null,
    bool Force = false, bool AllowDownload = true)
{
    public static string DefaultCacheDirectory() =>
        Environment.GetEnvironmentVariable("DEEPSCOPE_CACHE") is { Length: > 0 } env ? Path.GetFullPath(env)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "deepscope", "features");
}

/// <summary>
/// Runs an experiment: for each dataset, every feature set (cached), its embeddings (plotted) and every learner
/// (grid-searched by cross-validation when a parameter lists several values), then the report. Each result is saved
/// as soon as it exists (<c>results.json</c>, <c>embeddings.json</c>), so a killed run resumes where it stopped.
/// </summary>
public sealed class ExperimentRunner(ExperimentConfig config, RunOptions options, IProgressReporter? progress = null)
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    readonly IProgressReporter _progress = progress ?? NoProgress.Instance;
    List<StageTiming> _timings = new();

    public string OutputDirectory { get; } = Path.GetFullPath(options.OutputDirectory);
    string ResultsFile => Path.Combine(OutputDirectory, "results.json");
    string FiguresFile => Path.Combine(OutputDirectory, "embeddings.json");
    string TimingsFile => Path.Combine(OutputDirectory, "timings.json");

    /// <summary>Runs everything not already done and returns the path of report.html.</summary>
    public string Run()
    {
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(OutputDirectory);
        TorchRuntime.Configure();
        manual_seed(config.Seed);
        var configText = File.ReadAllText(config.SourceFile);
        AtomicFile.WriteAllText(Path.Combine(OutputDirectory, "config.yaml"), configText);

        var results = options.Force ? new List<StoredResult>() : Load<StoredResult>(ResultsFile);
        var figures = options.Force ? new List<EmbeddingFigure>() : Load<EmbeddingFigure>(FiguresFile);
        _timings = options.Force ? new List<StageTiming>() : Load<StageTiming>(TimingsFile);
        var store = new DatasetStore(DataDirectory.Resolve(options.DataDirectory ?? config.DataDir), options.AllowDownload, _progress);
        var cacheRoot = options.CacheDirectory ?? RunOptions.DefaultCacheDirectory();
        var baseDirectory = Path.GetDirectoryName(config.SourceFile)!;

        foreach (var selection in config.Datasets)
        {
            using var train = Timed($"load {selection.Name} train", () => Subset(store.Load(selection.Name, Split.Train), selection.TrainSubset));
            using var test = Timed($"load {selection.Name} test", () => Subset(store.Load(selection.Name, Split.Test), selection.TestSubset));
            foreach (var feature in config.Features)
            {
                var folder = FeatureExtraction.CacheFolder(cacheRoot, selection, feature);
                var watch = Stopwatch.StartNew();
                var (set, fromCache) = FeatureExtraction.GetOrExtract(folder, feature, train, test, selection.Name, baseDirectory, options.Force, _progress);
                using (set)
                {
                    var stage = $"features {feature.Label} on {selection.Name}";
                    // A cache hit keeps the extraction time measured when the set was made.
                    if (!fromCache || _timings.All(t => t.Stage != stage)) Record(new StageTiming(stage, watch.Elapsed.TotalSeconds, fromCache));
                    if (config.Embeddings is { } plan) Embed(plan, selection.Name, feature, set, figures);
                    Classify(selection.Name, feature, set, results);
                }
            }
            if (config.Finetune is { } finetune) FineTune(finetune, selection.Name, train, test, baseDirectory, results);
        }

        var environment = RunRecord(started, clock.Elapsed);
        AtomicFile.WriteAllText(Path.Combine(OutputDirectory, "run.json"), JsonSerializer.Serialize(new
        {
            config = config.SourceFile, seed = config.Seed, started_utc = started, finished_utc = DateTime.UtcNow,
            total_seconds = clock.Elapsed.TotalSeconds, environment, timings = _timings,
        }, Json));
        ExperimentReport.Write(new ReportContent($"{config.Name}: features x learners", configText, environment,
            results.Select(r => r.Result).ToList(), figures, _timings), OutputDirectory);
        return Path.Combine(OutputDirectory, "report.html");
    }

    void Embed(EmbeddingPlan plan, string dataset, FeatureSpec feature, FeatureSet set, List<EmbeddingFigure> figures)
    {
        var (features, labels) = plan.Split == "train" ? (set.TrainFeatures, set.TrainLabels) : (set.TestFeatures, set.TestLabels);
        long n = Math.Min(plan.Samples, features.shape[0]);
        foreach (var method in plan.Methods)
        {
            var image = Path.Combine(OutputDirectory, "embeddings", $"{dataset}-{Slug(feature.Label)}-{method}.png");
            if (figures.Any(f => f.ImagePath == image) && File.Exists(image)) continue;
            var parameters = plan.Params?.GetValueOrDefault(method);
            var embedder = Embedders.Create(method, parameters) with { Seed = config.Seed };
            var watch = Stopwatch.StartNew();
            using var x = features.narrow(0, 0, n);
            var result = embedder.Embed(x, _progress);
            using var points = result.ToTensor();
            var quality = EmbeddingQuality.Measure(x, points, seed: config.Seed);
            var y = labels.narrow(0, 0, n).data<long>().ToArray();
            var plot = EmbeddingPlot.Scatter(result, y, set.Info.Classes, new EmbeddingPlotOptions
            {
                Title = embedder.DisplayName, DataName = $"{feature.Label}, {dataset} {plan.Split}", Quality = quality, Seed = config.Seed,
            });
            Directory.CreateDirectory(Path.GetDirectoryName(image)!);
            EmbeddingPlot.Save(plot, image);
            Npy.Write(Path.ChangeExtension(image, ".npy"), points);
            Record(new StageTiming($"embedding {method} of {feature.Label} on {dataset}", watch.Elapsed.TotalSeconds));
            figures.RemoveAll(f => f.ImagePath == image);
            figures.Add(new EmbeddingFigure(dataset, feature.Label, method, image, quality.Trustworthiness));
            Save(FiguresFile, figures);
        }
    }

    void Classify(string dataset, FeatureSpec feature, FeatureSet set, List<StoredResult> results)
    {
        var todo = config.Learners
            .Select(spec => (Spec: spec, Key: $"{dataset}|{feature.Label}|{spec.Name}|{JsonSerializer.Serialize(spec.Grid.OrderBy(p => p.Key, StringComparer.Ordinal))}|scale={config.Scale}|pca={config.Pca}|cv={config.CrossValidationFolds}|seed={config.Seed}"))
            .Where(l => results.All(r => r.Key != l.Key)).ToList();
        if (todo.Count == 0) return;
        using var scope = NewDisposeScope();
        var (xTrain, xTest) = Preprocess($"{feature.Label} ({dataset})", set.TrainFeatures, set.TestFeatures);
        var truth = set.TestLabels.data<long>().ToArray();
        foreach (var (spec, key) in todo)
        {
            var watch = Stopwatch.StartNew();
            var fixedParameters = spec.Grid.Where(p => p.Value.Count == 1).ToDictionary(p => p.Key, p => p.Value[0], StringComparer.Ordinal);
            if (spec.Name is "rf" or "boost" && !fixedParameters.ContainsKey("seed")) fixedParameters["seed"] = config.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var grid = spec.Grid.Where(p => p.Value.Count > 1).ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
            IReadOnlyDictionary<string, string> chosen = fixedParameters;
            double? cvAccuracy = null;
            if (grid.Count > 0)
            {
                var search = GridSearch.Run(p => LearnerCatalog.Create(spec.Name, p), grid, xTrain, set.TrainLabels,
                    new StratifiedKFold(config.CrossValidationFolds, Shuffle: true, Seed: config.Seed), fixedParameters, progress: _progress);
                chosen = search.Best.Parameters;
                cvAccuracy = search.Best.MeanAccuracy;
            }
            var learner = LearnerCatalog.Create(spec.Name, chosen);
            var fitClock = Stopwatch.StartNew();
            using var model = learner.Fit(xTrain, set.TrainLabels);
            double fitSeconds = fitClock.Elapsed.TotalSeconds;
            var predictClock = Stopwatch.StartNew();
            using var predicted = model.Predict(xTest);
            double predictSeconds = predictClock.Elapsed.TotalSeconds;
            var classes = Enumerable.Range(0, set.Info.Classes.Count).Select(i => (long)i).ToArray();
            var metrics = ClassificationMetrics.Compute(truth, predicted.data<long>().ToArray(), classes);
            var result = new LearnerResult(dataset, feature.Label, spec.Name, chosen.Where(p => p.Key != "seed").ToDictionary(),
                metrics.Accuracy, cvAccuracy, fitSeconds, predictSeconds, metrics.ConfusionMatrix,
                Scores(metrics, set.Info.Classes));
            Record(new StageTiming($"learner {spec.Name} on {feature.Label} ({dataset})", watch.Elapsed.TotalSeconds));
            results.Add(new StoredResult(key, result));
            Save(ResultsFile, results);
        }
    }

    /// <summary>
    /// Fine-tunes (or trains from scratch) a CNN on the images through the training engine, evaluating on the test split
    /// after each epoch. Checkpoints go to finetune/&lt;dataset&gt;-&lt;model&gt;-&lt;hash&gt;/, so a killed fine-tune resumes from
    /// its last epoch; a finished one is in results.json and is not redone.
    /// </summary>
    void FineTune(FinetuneSpec spec, string dataset, LabeledImages train, LabeledImages test, string baseDirectory, List<StoredResult> results)
    {
        var weights = spec.Weights is null ? null : FeatureExtraction.ResolvePath(spec.Weights, baseDirectory);
        var key = $"{dataset}|finetune|{JsonSerializer.Serialize(spec with { Weights = weights })}|seed={config.Seed}";
        if (results.Any(r => r.Key == key)) return;
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..12];
        var directory = Path.Combine(OutputDirectory, "finetune", $"{dataset}-{spec.Model}-{hash}");
        if (options.Force && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);

        var watch = Stopwatch.StartNew();
        var mode = spec.Mode switch { "linear-probe" => FineTuneMode.LinearProbe, "last-layers" => FineTuneMode.LastLayers, _ => FineTuneMode.Full };
        // A linear probe trains the head on the frozen body's features, computed once; from scratch everything trains.
        var fineTune = weights is null ? null : new FineTuneOptions(mode, CacheFeatures: mode == FineTuneMode.LinearProbe);
        var (fit, eval) = (Examples.From(train), Examples.From(test));
        var setup = ClassifierSetup.Build(Models.ModelZoo.Get(spec.Model), fit, spec.ImageSize ?? train.ImageShape[1], config.Seed, fineTune, weights);
        using var model = setup.Model;
        // The same defaults as `deepscope finetune`: SGD with momentum 0.9, weight decay 5e-4, cosine schedule.
        var trainingOptions = new TrainingOptions
        {
            Epochs = spec.Epochs, BatchSize = spec.BatchSize, Seed = config.Seed,
            Optimizer = new OptimizerOptions { LearningRate = spec.LearningRate, Momentum = 0.9, WeightDecay = 5e-4 },
            Schedule = new LearningRateSchedule { Kind = ScheduleKind.Cosine },
        };
        var trainer = new Trainer(trainingOptions) { OutputDirectory = directory, Resume = true, Progress = _progress };
        var outcome = setup.Fit(trainer, fit, eval);
        Training.RunRecord.SaveModel(directory, model);

        var predictClock = Stopwatch.StartNew();
        var (predictions, _) = Evaluation.Predict(model, eval, setup.Transform, trainingOptions.EvalBatchSize, progress: _progress);
        double predictSeconds = predictClock.Elapsed.TotalSeconds;
        ClassificationMetrics metrics;
        using (predictions) metrics = ClassificationMetrics.Compute(test.Labels, predictions, test.Classes.Count);
        var label = weights is null ? $"{spec.Model} trained from scratch" : $"{spec.Model} fine-tuned ({spec.Mode})";
        var details = new FineTuneDetails(spec.Model, spec.Mode, weights, outcome.History.Count,
            outcome.History.Select(e => e.EvalAccuracy!.Value).ToList(), directory); // evaluated after every epoch
        var result = new LearnerResult(dataset, label, "fine-tune",
            new Dictionary<string, string>
            {
                ["epochs"] = spec.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["lr"] = spec.LearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["batch_size"] = spec.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            metrics.Accuracy, null, outcome.TrainingSeconds, predictSeconds, metrics.ConfusionMatrix,
            Scores(metrics, test.Classes), details);
        Record(new StageTiming($"fine-tune {label} on {dataset}", watch.Elapsed.TotalSeconds));
        results.Add(new StoredResult(key, result));
        Save(ResultsFile, results);
    }

    static List<ClassScore> Scores(ClassificationMetrics metrics, IReadOnlyList<string> classes) =>
        metrics.PerClass.Select(c => new ClassScore(classes[(int)c.Class], c.Precision, c.Recall, c.F1, c.Support)).ToList();

    /// <summary>Scaling and PCA as configured, fitted on the training features; timed as a stage (PCA of wide features is slow).</summary>
    (Tensor Train, Tensor Test) Preprocess(string what, Tensor train, Tensor test)
    {
        var steps = new List<(string Name, IPreprocessor Step)>();
        if (config.Scale) steps.Add(("scale", new StandardScaler()));
        if (config.Pca is { } k) steps.Add(($"pca {k}", new Pca(k)));
        if (steps.Count == 0) return (train, test);
        return Timed($"preprocess {string.Join(" + ", steps.Select(s => s.Name))} of {what}", () =>
        {
            foreach (var (_, step) in steps)
            {
                using var fitted = step.Fit(train);
                (train, test) = (fitted.Transform(train), fitted.Transform(test));
            }
            return (train, test);
        });
    }

    IReadOnlyDictionary<string, string> RunRecord(DateTime started, TimeSpan elapsed)
    {
        var record = new Dictionary<string, string>(TorchRuntime.Versions().ToDictionary())
        {
            ["experiment"] = config.SourceFile,
            ["seed"] = config.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["machine"] = $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {CpuModel()}",
            ["started (UTC)"] = started.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
            ["wall time (this invocation)"] = $"{elapsed.TotalSeconds:F1} s",
            // A resumed run is quick; this is what all its stages took, including earlier invocations.
            ["time of all stages"] = $"{_timings.Sum(t => t.Seconds):F1} s",
        };
        return record;
    }

    static string CpuModel() =>
        File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown" : "unknown";

    T Timed<T>(string stage, Func<T> work)
    {
        var watch = Stopwatch.StartNew();
        var result = work();
        Record(new StageTiming(stage, watch.Elapsed.TotalSeconds));
        return result;
    }

    /// <summary>Keeps one timing per stage, in first-seen order, saved at once so a resumed run still reports it.</summary>
    void Record(StageTiming timing)
    {
        int at = _timings.FindIndex(t => t.Stage == timing.Stage);
        if (at >= 0) _timings[at] = timing;
        else _timings.Add(timing);
        Save(TimingsFile, _timings);
    }

    static LabeledImages Subset(LabeledImages all, int? count)
    {
        if (count is not { } n || n >= all.Count) return all;
        // Take() gives views: copy them so the full set can be freed, then release the views too.
        using (all)
        using (var view = all.Take(n))
            return new LabeledImages(view.Images.clone(), view.Labels.clone(), view.Classes, view.Source, view.Groups?.clone());
    }

    static string Slug(string label) =>
        System.Text.RegularExpressions.Regex.Replace(label, "[^A-Za-z0-9=]+", "-").Trim('-');

    static List<T> Load<T>(string path) => File.Exists(path) ? JsonSerializer.Deserialize<List<T>>(File.ReadAllText(path), Json) ?? [] : [];

    static void Save<T>(string path, List<T> items) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(items, Json));

    /// <summary>A result with the key that says which configuration produced it (for resuming).</summary>
    public sealed record StoredResult(string Key, LearnerResult Result);
}
