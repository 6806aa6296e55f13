using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Deepscope.Cli.Terminal;
using Deepscope.Data;
using Deepscope.Data.Sources;
using Deepscope.Learners.Evaluation;
using Deepscope.Models;
using Deepscope.Models.Dcf;
using Deepscope.Runtime;
using Deepscope.Models.Pretrained;
using Deepscope.Robustness;
using Deepscope.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope train</c>, <c>deepscope finetune</c> and <c>deepscope evaluate</c>.</summary>
static class TrainCommands
{
    public static IEnumerable<Command> Create() => [Train(), FineTune(), Evaluate()];

    /// <summary>The options train and finetune share, declared once.</summary>
    sealed class RunOptions
    {
        static readonly TrainingOptions Defaults = ClassifierTraining.Defaults();

        public readonly Option<string> Model = new("--model") { Description = $"Model: {string.Join(", ", ModelZoo.Names)}", Required = true };
        public readonly Option<string> Dataset = new("--dataset") { Description = $"Dataset: {string.Join(", ", Datasets.Names)}", Required = true };
        public readonly Option<string> Output = new("--output", "-o") { Description = "Run directory (checkpoint, weights, history, TensorBoard logs, curves)", Required = true };
        public readonly Option<bool> Resume = new("--resume") { Description = "Continue from the run directory's last checkpoint" };
        public readonly Option<int> Epochs = new("--epochs") { Description = "Epochs", DefaultValueFactory = _ => Defaults.Epochs };
        public readonly Option<int> BatchSize = new("--batch-size") { Description = "Mini-batch size", DefaultValueFactory = _ => Defaults.BatchSize };
        public readonly Option<string> Optimizer = new("--optimizer") { Description = "sgd, adam or adamw", DefaultValueFactory = _ => Name(Defaults.Optimizer.Kind) };
        public readonly Option<double?> LearningRate = new("--lr") { Description = "Base learning rate (default: 0.1 for SGD, 0.001 for Adam/AdamW)" };
        public readonly Option<double> Momentum = new("--momentum") { Description = "SGD momentum", DefaultValueFactory = _ => Defaults.Optimizer.Momentum };
        public readonly Option<bool> Nesterov = new("--nesterov") { Description = "Nesterov momentum (SGD)" };
        public readonly Option<double?> WeightDecay = new("--weight-decay") { Description = "Weight decay (default: 5e-4 for SGD, 0 for Adam, 0.01 for AdamW)" };
        public readonly Option<string> Schedule = new("--schedule") { Description = "constant, step, multistep, cosine or onecycle", DefaultValueFactory = _ => Name(Defaults.Schedule.Kind) };
        public readonly Option<int> StepSize = new("--step-size") { Description = "step schedule: decay every N epochs", DefaultValueFactory = _ => Defaults.Schedule.StepSize };
        public readonly Option<string?> Milestones = new("--milestones") { Description = "multistep schedule: epochs, comma-separated (e.g. 30,60,80)" };
        public readonly Option<double> Gamma = new("--gamma") { Description = "step/multistep decay factor", DefaultValueFactory = _ => Defaults.Schedule.Gamma };
        public readonly Option<double> Warmup = new("--warmup") { Description = "Linear learning-rate warm-up, in epochs" };
        public readonly Option<double> ClipGrad = new("--clip-grad") { Description = "Clip the gradient L2 norm to this value (0: off)" };
        public readonly Option<string?> Augment = new("--augment") { Description = "Training augmentation: crop[=PADDING], flip, comma-separated, or none" };
        public readonly Option<long> Seed = CommonOptions.Seed("initialisation, shuffling and augmentation");
        public readonly Option<int?> EarlyStop = new("--early-stop") { Description = "Stop after N epochs without better evaluation accuracy (validation with --validation, else test)" };
        public readonly Option<int?> Threads = CommonOptions.Threads();
        public readonly Option<long?> Limit = new("--limit") { Description = "Train on the first N training images only" };
        public readonly Option<long?> TestLimit = new("--test-limit") { Description = "Evaluate on the first N test images only" };
        public readonly Option<double> Validation = new("--validation")
        {
            Description = "Hold out this fraction of the training images (seeded) for per-epoch evaluation, best weights and early stopping; the test split is then scored once at the end",
        };
        public readonly Option<string> Precision = new("--precision")
        {
            Description = "fp32, or bf16: mixed precision (bf16 autocast for convolutions and matrix products, float32 weights); pays on CPUs with AMX",
            DefaultValueFactory = _ => "fp32",
        };
        public readonly Option<string?> Corrupt = new("--corrupt")
        {
            Description = "Randomisation test on the training images (Zhang et al. 2017), fixed by --seed, the same every epoch; evaluation keeps true labels: " + Randomization.Syntax,
        };
        public readonly Option<string?> DataDir = CommonOptions.DataDir();
        public readonly Option<bool> NoDownload = CommonOptions.NoDownload();
        public readonly Option<string> Adversarial = new("--adversarial") { Description = "Adversarial training in pixels: none, pgd, fgsm or fast-fgsm (FGSM from a random start, step 1.25 eps)", DefaultValueFactory = _ => "none" };
        public readonly Option<double> AdvEps = new("--adv-eps") { Description = "Adversarial training budget in pixels [0, 1]", DefaultValueFactory = _ => new DefenceOptions().Epsilon };
        public readonly Option<int> AdvSteps = new("--adv-steps") { Description = "Adversarial training: PGD steps", DefaultValueFactory = _ => new DefenceOptions().Steps };
        public readonly Option<double> AdvAlpha = new("--adv-alpha") { Description = "Adversarial training: PGD step size (default 2.5 eps / steps)" };
        public readonly Option<string> AdvNorm = new("--adv-norm") { Description = "Adversarial training ball: linf or l2", DefaultValueFactory = _ => "linf" };
        public readonly Option<double> Parseval = new("--parseval") { Description = "Parseval networks: retraction beta after every step (e.g. 3e-4; 0: off)" };
        public readonly Option<double> ParsevalRows = new("--parseval-rows") { Description = "Parseval: fraction of rows sampled per step", DefaultValueFactory = _ => 1.0 };
        public readonly Option<string?> DcfK = new("--dcf-k") { Description = $"DCF models (dcf-lenet, dcf-resnet18, dcf-vgg16): Fourier-Bessel bases per kernel, or max (default {DcfNetworks.DefaultBasisCount})" };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Model, Dataset, Output, Resume, Epochs, BatchSize, Optimizer, LearningRate, Momentum, Nesterov, WeightDecay,
                         Schedule, StepSize, Milestones, Gamma, Warmup, ClipGrad, Augment, Seed, EarlyStop, Precision, Threads, Limit, TestLimit, Validation, Corrupt, DataDir, NoDownload, DcfK,
                         Adversarial, AdvEps, AdvSteps, AdvAlpha, AdvNorm, Parseval, ParsevalRows })
                command.Options.Add(option);
        }

        public TrainingOptions Read(ParseResult parse)
        {
            var kind = parse.GetValue(Optimizer)!.ToLowerInvariant() switch
            {
                "sgd" => OptimizerKind.Sgd,
                "adam" => OptimizerKind.Adam,
                "adamw" => OptimizerKind.AdamW,
                var other => throw new DeepscopeException($"unknown optimizer '{other}'; use sgd, adam or adamw"),
            };
            var schedule = parse.GetValue(Schedule)!.ToLowerInvariant() switch
            {
                "constant" => ScheduleKind.Constant,
                "step" => ScheduleKind.Step,
                "multistep" or "multi-step" => ScheduleKind.MultiStep,
                "cosine" => ScheduleKind.Cosine,
                "onecycle" or "one-cycle" => ScheduleKind.OneCycle,
                var other => throw new DeepscopeException($"unknown schedule '{other}'; use constant, step, multistep, cosine or onecycle"),
            };
            var precision = parse.GetValue(Precision)!.ToLowerInvariant() switch
            {
                "fp32" or "float32" => TrainingPrecision.Fp32,
                "bf16" or "bfloat16" => TrainingPrecision.Bf16,
                var other => throw new DeepscopeException($"unknown precision '{other}'; use fp32 or bf16"),
            };
            int? patience = parse.GetValue(EarlyStop);
            return new TrainingOptions
            {
                Precision = precision,
                Epochs = parse.GetValue(Epochs),
                BatchSize = parse.GetValue(BatchSize),
                Optimizer = new OptimizerOptions
                {
                    Kind = kind,
                    LearningRate = parse.GetValue(LearningRate) ?? ClassifierTraining.Optimizer(kind).LearningRate,
                    Momentum = kind == OptimizerKind.Sgd ? parse.GetValue(Momentum) : 0,
                    Nesterov = parse.GetValue(Nesterov),
                    WeightDecay = parse.GetValue(WeightDecay) ?? ClassifierTraining.Optimizer(kind).WeightDecay,
                },
                Schedule = new LearningRateSchedule
                {
                    Kind = schedule,
                    StepSize = parse.GetValue(StepSize),
                    Milestones = ParseMilestones(parse.GetValue(Milestones)),
                    Gamma = parse.GetValue(Gamma),
                    WarmupEpochs = parse.GetValue(Warmup),
                },
                GradientClipNorm = parse.GetValue(ClipGrad),
                Augmentation = Augmentation.Parse(parse.GetValue(Augment)),
                Seed = parse.GetValue(Seed),
                EarlyStopping = patience is null ? null : new EarlyStopping(patience.Value),
            };
        }

        public DefenceOptions ReadDefence(ParseResult parse) => new()
        {
            Adversarial = parse.GetValue(Adversarial)!, Epsilon = parse.GetValue(AdvEps), Steps = parse.GetValue(AdvSteps), StepSize = parse.GetValue(AdvAlpha),
            Norm = parse.GetValue(AdvNorm)!, ParsevalBeta = parse.GetValue(Parseval), ParsevalRows = parse.GetValue(ParsevalRows),
        };

        static string Name(Enum value) => value.ToString().ToLowerInvariant();

        static int[] ParseMilestones(string? text) => string.IsNullOrWhiteSpace(text) ? [] :
            [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(m =>
                int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var e) && e > 0 ? e : throw new DeepscopeException($"milestone '{m}' is not a positive epoch number"))];
    }

    static Command Train()
    {
        var o = new RunOptions();
        var command = new Command("train", "Train a classifier from scratch on a dataset; checkpoints every epoch, --resume continues");
        o.AddTo(command);
        command.SetAction(parse => Run(parse, o, fineTune: null));
        return command;
    }

    static Command FineTune()
    {
        var o = new RunOptions();
        var weights = new Option<string?>("--weights")
        {
            Description = $"Pretrained weights: PyTorch .pth/.pt state dict, .safetensors or ONNX, e.g. a run's model.pth (the head is replaced); not needed for {string.Join(", ", CnnModels.Bundled)} (bundled)",
        };
        var mode = new Option<string>("--mode") { Description = "linear-probe, last-layers or full", DefaultValueFactory = _ => "linear-probe" };
        var lastLayers = new Option<int>("--last-layers") { Description = "last-layers mode: train this many final blocks (head included)", DefaultValueFactory = _ => 2 };
        var bodyFactor = new Option<double>("--body-lr-factor") { Description = "full mode: the body's learning rate as a fraction of --lr", DefaultValueFactory = _ => 0.1 };
        var cache = new Option<bool>("--cache-features") { Description = "linear-probe mode: compute the body's features once and train the head on them" };
        var imageSize = new Option<long?>("--image-size") { Description = "Resize images to this size (default: the dataset's)" };
        var command = new Command("finetune", "Fine-tune a pretrained CNN on a dataset: a new head, then linear-probe, last-layers or full training")
            { weights, mode, lastLayers, bodyFactor, cache, imageSize };
        o.AddTo(command);
        command.SetAction(parse =>
        {
            var kind = parse.GetValue(mode)!.ToLowerInvariant() switch
            {
                "linear-probe" => FineTuneMode.LinearProbe,
                "last-layers" => FineTuneMode.LastLayers,
                "full" => FineTuneMode.Full,
                var other => throw new DeepscopeException($"unknown fine-tuning mode '{other}'; use linear-probe, last-layers or full"),
            };
            if (parse.GetValue(weights) is null && !CnnModels.Bundled.Contains(parse.GetValue(o.Model) ?? ""))
                throw new DeepscopeException($"--weights is required to fine-tune {parse.GetValue(o.Model)}: a .pth, .safetensors or .onnx file");
            var fineTune = new FineTuneSettings(new FineTuneOptions(kind, parse.GetValue(lastLayers), parse.GetValue(bodyFactor), parse.GetValue(cache)),
                parse.GetValue(weights), parse.GetValue(imageSize));
            return Run(parse, o, fineTune);
        });
        return command;
    }

    sealed record FineTuneSettings(FineTuneOptions Options, string? Weights, long? ImageSize);

    static int Run(ParseResult parse, RunOptions o, FineTuneSettings? fineTune)
    {
        var wall = Stopwatch.StartNew();
        var options = o.Read(parse);
        options.Validate();
        var spec = ModelZoo.Get(parse.GetValue(o.Model)!);
        if (parse.GetValue(o.DcfK) is { } dcfK) spec = DcfNetworks.WithBasisCount(spec, DcfNetworks.ParseBasisCount(dcfK));
        var dataset = Datasets.Get(parse.GetValue(o.Dataset)!);
        var output = Path.GetFullPath(parse.GetValue(o.Output)!);
        bool resume = parse.GetValue(o.Resume);
        var previous = resume && File.Exists(Path.Combine(output, RunRecord.FileName)) ? RunRecord.Read(output) : null;
        if (!resume && File.Exists(Path.Combine(output, Trainer.CheckpointFile)))
            throw new DeepscopeException($"{output} already holds a run; pass --resume to continue it or choose another --output");
        TorchRuntime.Configure(parse.GetValue(o.Threads));

        var root = DataDirectory.Resolve(parse.GetValue(o.DataDir));
        var store = new DatasetStore(root, !parse.GetValue(o.NoDownload));
        CliProgress.Run(p => new DatasetStore(root, !parse.GetValue(o.NoDownload), p).EnsurePresent(dataset));
        using var trainSet = store.Load(dataset, Split.Train);
        using var testSet = store.Load(dataset, Split.Test);
        using var train = parse.GetValue(o.Limit) is { } limit ? trainSet.Take(limit) : trainSet.Take(trainSet.Count);
        using var test = parse.GetValue(o.TestLimit) is { } testLimit ? testSet.Take(testLimit) : testSet.Take(testSet.Count);

        double validation = parse.GetValue(o.Validation);
        if (validation is < 0 or >= 1) throw new DeepscopeException($"--validation must be a fraction in [0, 1), got {validation}");
        var (fitSet, evalSet) = validation > 0 ? Examples.From(train).HoldOut(validation, options.Seed) : (Examples.From(train), Examples.From(test));
        string evalName = validation > 0 ? "val" : "test";
        var randomization = parse.GetValue(o.Corrupt) is { } corrupt ? Randomization.Parse(corrupt) : Randomization.None;
        if (randomization != Randomization.None)
        {
            var all = new RandomizedSource(fitSet.ToSource(), randomization, unchecked((ulong)options.Seed)).ReadAll();
            fitSet = fitSet with { Inputs = all[Fields.Input], Labels = all[Fields.Label] };
            if (randomization.ForTest != Randomization.None)
            {
                var evaluated = new RandomizedSource(evalSet.ToSource(), randomization.ForTest, unchecked((ulong)options.Seed)).ReadAll();
                evalSet = evalSet with { Inputs = evaluated[Fields.Input], Labels = evaluated[Fields.Label] };
            }
        }

        var setup = ClassifierSetup.Build(spec, fitSet, fineTune?.ImageSize ?? train.ImageShape[1], options.Seed, fineTune?.Options, fineTune?.Weights);
        var (model, transform) = (setup.Model, setup.Transform);
        var defence = o.ReadDefence(parse);

        Directory.CreateDirectory(output);
        var record = new RunRecord
        {
            Command = fineTune is null ? "train" : "finetune",
            Model = spec.Name,
            Dataset = dataset.Name,
            Classes = train.Classes,
            Input = transform,
            Options = options,
            FineTune = fineTune?.Options,
            Weights = fineTune?.Weights is { } wp ? Path.GetFullPath(wp) : null,
            Randomization = randomization == Randomization.None ? null : randomization.ToString(),
            Defence = defence.IsPlain ? null : defence.Describe(transform),
            TrainCount = fitSet.Count,
            EvalCount = evalSet.Count,
            ValidationFraction = validation > 0 ? validation : null,
            Threads = get_num_threads(),
            Versions = TorchRuntime.Versions(),
            Started = previous?.Started ?? DateTimeOffset.UtcNow,
        };
        record.Write(output);

        var console = AnsiConsole.Console;
        console.MarkupLine(Markup.Escape($"{record.Command} {spec.Name} on {dataset.Name}{(record.Randomization is { } r ? $" ({r})" : "")}: {fitSet.Count} training / {evalSet.Count} {(validation > 0 ? "validation" : "test")} images, " +
            $"{options.Optimizer.Kind.ToString().ToLowerInvariant()} lr {options.Optimizer.LearningRate} ({options.Schedule.Kind.ToString().ToLowerInvariant()}), " +
            $"batch {options.BatchSize}, augment {options.Augmentation}, seed {options.Seed}, {get_num_threads()} threads -> {output}"));
        void Report(EpochRecord r) => console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"epoch {r.Epoch,3}: train loss {r.TrainLoss:F4} acc {100 * r.TrainAccuracy:F2}% | {evalName} loss {r.EvalLoss:F4} acc {100 * r.EvalAccuracy:F2}% | lr {r.LearningRate:G4} | {r.ImagesPerSecond:F0} img/s, {r.Seconds:F1}s")));

        var result = CliProgress.Run(p =>
            setup.Fit(new Trainer(options) { Step = defence.Step(transform), OutputDirectory = output, Resume = resume, Progress = p, EpochCompleted = Report }, fitSet, evalSet));
        RunRecord.SaveModel(output, model);
        double? testAccuracy = null;
        if (validation > 0)
        {
            var (predictions, _) = CliProgress.Run(p => Evaluation.Predict(model, Examples.From(test), transform, options.EvalBatchSize, progress: p));
            using (predictions) testAccuracy = ClassificationMetrics.Compute(test.Labels, predictions, test.Classes.Count).Accuracy;
            fitSet.Inputs.Dispose(); fitSet.Labels.Dispose(); evalSet.Inputs.Dispose(); evalSet.Labels.Dispose();
        }
        var final = result.History.Count > 0 ? result.History[^1] : null;
        record = record with
        {
            Finished = DateTimeOffset.UtcNow,
            TrainingSeconds = result.TrainingSeconds,
            SessionSeconds = wall.Elapsed.TotalSeconds,
            EpochsDone = final?.Epoch ?? 0,
            StoppedEarly = result.StoppedEarly,
            ResumedAfterEpoch = resume ? result.ResumedAfterEpoch : null,
            FinalEvalAccuracy = final?.EvalAccuracy,
            TestAccuracy = validation > 0 ? testAccuracy : final?.EvalAccuracy,
            BestEpoch = result.BestEpoch,
        };
        record.Write(output);
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"done: {record.EpochsDone} epochs{(result.StoppedEarly ? " (stopped early)" : "")}, final test accuracy {100 * record.TestAccuracy:F2}%, " +
            $"{result.TrainingSeconds:F1}s training, {wall.Elapsed.TotalSeconds:F1}s this session; weights in {Path.Combine(output, RunRecord.ModelFile)}")));
        return 0;
    }

    static Command Evaluate()
    {
        var run = new Option<string>("--run") { Description = "Run directory written by train or finetune", Required = true };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset (default: the run's); its test split is evaluated" };
        var output = new Option<string?>("--output", "-o") { Description = "Write metrics JSON here (accuracy, confusion_matrix, per_class)" };
        var best = new Option<bool>("--best") { Description = "Use the best epoch's weights instead of the final ones" };
        var limit = new Option<long?>("--limit") { Description = "Evaluate on the first N test images only" };
        var dataDir = CommonOptions.DataDir();
        var noDownload = CommonOptions.NoDownload();
        var command = new Command("evaluate", "Accuracy, confusion matrix and per-class metrics of a trained run on a dataset's test split")
            { run, dataset, output, best, limit, dataDir, noDownload };
        command.SetAction(parse =>
        {
            var directory = Path.GetFullPath(parse.GetValue(run)!);
            var record = RunRecord.Read(directory);
            var spec = Datasets.Get(parse.GetValue(dataset) ?? record.Dataset);
            using var model = record.LoadModel(directory, parse.GetValue(best));
            using var test = LoadTestSplit(record, spec, parse.GetValue(dataDir), parse.GetValue(noDownload), parse.GetValue(limit));
            var (predictions, _) = CliProgress.Run(p => Evaluation.Predict(model, Examples.From(test), record.Input, progress: p));
            using (predictions)
            {
                var metrics = ClassificationMetrics.Compute(test.Labels, predictions, test.Classes.Count);
                Print(metrics, test.Classes, record, spec.Name);
                if (parse.GetValue(output) is { } path)
                {
                    // The same JSON as `deepscope classify`, with the run instead of the learner in the header.
                    MetricsJson.Write(path, metrics, json =>
                    {
                        json.WriteString("model", record.Model);
                        json.WriteString("run", Path.GetFullPath(directory));
                        json.WriteString("dataset", spec.Name);
                    }, test.Classes);
                    Console.WriteLine($"metrics written to {Path.GetFullPath(path)}");
                }
            }
            return 0;
        });
        return command;
    }

    /// <summary>The first <paramref name="limit"/> test images of a dataset (downloaded when allowed), checked against the run's classes.</summary>
    internal static LabeledImages LoadTestSplit(RunRecord record, DatasetSpec spec, string? dataDir, bool noDownload, long? limit)
    {
        var root = DataDirectory.Resolve(dataDir);
        CliProgress.Run(p => new DatasetStore(root, !noDownload, p).EnsurePresent(spec));
        using var all = new DatasetStore(root, allowDownload: false).Load(spec, Split.Test);
        var test = all.Take(limit ?? all.Count);
        if (test.Classes.Count != record.Classes.Count)
        {
            test.Dispose();
            throw new DeepscopeException($"{spec.Name} has {test.Classes.Count} classes but the run's model predicts {record.Classes.Count}");
        }
        return test;
    }

    static void Print(ClassificationMetrics metrics, IReadOnlyList<string> names, RunRecord record, string dataset)
    {
        var console = AnsiConsole.Console;
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{record.Model} on {dataset} test ({metrics.Count} images): accuracy {100 * metrics.Accuracy:F2}%")));
        var matrix = new Table { Title = new TableTitle("confusion matrix (rows: true, columns: predicted)") };
        matrix.AddColumn("true \\ pred");
        foreach (var name in names) matrix.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        for (int i = 0; i < names.Count; i++)
            matrix.AddRow([Markup.Escape(names[i]), .. metrics.ConfusionMatrix[i].Select(v => v.ToString(CultureInfo.InvariantCulture))]);
        console.Write(matrix);
        var perClass = new Table().AddColumns("class", "precision", "recall", "f1", "support");
        foreach (var m in metrics.PerClass)
            perClass.AddRow(Markup.Escape(names[(int)m.Class]), m.Precision.ToString("F4", CultureInfo.InvariantCulture), m.Recall.ToString("F4", CultureInfo.InvariantCulture),
                m.F1.ToString("F4", CultureInfo.InvariantCulture), m.Support.ToString(CultureInfo.InvariantCulture));
        console.Write(perClass);
    }
}
