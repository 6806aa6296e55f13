using System.CommandLine;
using System.Text.Json;
using Deepscope.Cli.Terminal;
using Deepscope.Data;
using Deepscope.IO;
using Deepscope.Models.Attention;
using Deepscope.Runtime;
using Deepscope.Studies.Attention;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope ram train|evaluate|show</c>: the recurrent attention model of Mnih et al. 2014 on MNIST digit tasks.</summary>
static class RamCommands
{
    public static Command Create()
    {
        var ram = new Command("ram", "Recurrent attention model (Mnih et al. 2014) on MNIST, translated and cluttered MNIST");
        ram.Subcommands.Add(Train());
        ram.Subcommands.Add(Evaluate());
        ram.Subcommands.Add(Show());
        return ram;
    }

    static Command Train()
    {
        var defaults = new AttentionRunOptions();
        var dataset = new Option<DigitDataset>("--dataset") { Description = "mnist, translated-mnist or cluttered-mnist", DefaultValueFactory = _ => defaults.Task.Dataset };
        var size = new Option<int>("--size") { Description = "canvas side of translated/cluttered digits", DefaultValueFactory = _ => defaults.Task.Size };
        var distractors = new Option<int>("--distractors") { Description = "pieces of 8x8 clutter (cluttered-mnist)", DefaultValueFactory = _ => defaults.Task.Distractors };
        var trainSubset = new Option<int?>("--train-subset") { Description = "train on the first N training digits only" };
        var model = new Option<AttentionModel>("--model") { Description = "ram, ram-random (random glimpses), fc or conv", DefaultValueFactory = _ => defaults.Model };
        var glimpses = new Option<int>("--glimpses") { Description = "glimpses per image", DefaultValueFactory = _ => defaults.Ram.Glimpses };
        var patch = new Option<int>("--patch") { Description = "retina patch side", DefaultValueFactory = _ => defaults.Ram.Patch };
        var scales = new Option<int>("--scales") { Description = "patches per glimpse, each twice as wide", DefaultValueFactory = _ => defaults.Ram.Scales };
        var core = new Option<AttentionCore>("--core") { Description = "rnn (as the paper) or lstm", DefaultValueFactory = _ => defaults.Ram.Core };
        var std = new Option<double>("--std") { Description = "standard deviation of the location policy", DefaultValueFactory = _ => defaults.Ram.LocationStd };
        var epochs = new Option<int>("--epochs") { Description = "training epochs", DefaultValueFactory = _ => defaults.Epochs };
        var batchSize = new Option<int>("--batch-size") { Description = "examples per batch", DefaultValueFactory = _ => defaults.BatchSize };
        var learningRate = new Option<double>("--lr") { Description = "Adam's learning rate (cosine-annealed to 1%)", DefaultValueFactory = _ => defaults.LearningRate };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "also checkpoint every N steps (0: after each epoch only)" };
        var output = new Option<string>("--output", "-o") { Description = "run folder; an interrupted run in it resumes exactly", Required = true };
        var seed = CommonOptions.Seed("initialisation, shuffling, generated training images and glimpse sampling");
        var threads = CommonOptions.Threads();
        var dataDir = CommonOptions.DataDir();
        var command = new Command("train", "Train RAM or a baseline; validation picks the best epoch")
            { dataset, size, distractors, trainSubset, model, glimpses, patch, scales, core, std, epochs, batchSize, learningRate, checkpointEvery, output, seed, threads, dataDir };
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var options = defaults with
            {
                Task = defaults.Task with
                {
                    Dataset = parse.GetValue(dataset), Size = parse.GetValue(size), Distractors = parse.GetValue(distractors), TrainSubset = parse.GetValue(trainSubset),
                },
                Model = parse.GetValue(model),
                Ram = defaults.Ram with
                {
                    Glimpses = parse.GetValue(glimpses), Patch = parse.GetValue(patch), Scales = parse.GetValue(scales),
                    Core = parse.GetValue(core), LocationStd = parse.GetValue(std),
                },
                Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batchSize), LearningRate = parse.GetValue(learningRate),
            };
            var store = new DatasetStore(DataDirectory.Resolve(parse.GetValue(dataDir)));
            var run = parse.GetValue(output)!;
            Console.WriteLine($"{options.Describe()} on {options.Task.Describe()}, {options.Epochs} epochs, seed {parse.GetValue(seed)} -> {run}");
            var result = CliProgress.Run(p => AttentionRun.Train(options, parse.GetValue(seed), store, run, p, parse.GetValue(checkpointEvery)));
            Console.WriteLine($"best epoch {result.BestEpoch}: validation error {100 * (1 - (result.BestMetric ?? 0)):F2}% ({result.TrainingSeconds:F0} s of training)");
            return 0;
        });
        return command;
    }

    static Command Evaluate()
    {
        var run = new Option<string>("--run") { Description = "run folder of 'ram train'", Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "metrics JSON to write (accuracy, error, ...)" };
        var samples = new Option<int?>("--samples") { Description = "Monte-Carlo glimpse paths averaged in the sampled evaluation (default: the run's)" };
        var threads = CommonOptions.Threads();
        var dataDir = CommonOptions.DataDir();
        var command = new Command("evaluate", "Test-set accuracy of a trained run (policy mean, and M sampled paths averaged)") { run, output, samples, threads, dataDir };
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var store = new DatasetStore(DataDirectory.Resolve(parse.GetValue(dataDir)));
            var metrics = AttentionRun.Evaluate(parse.GetValue(run)!, store, parse.GetValue(samples));
            var json = JsonSerializer.Serialize(metrics, JsonFormat.Options);
            if (parse.GetValue(output) is { } path) AtomicFile.WriteAllText(path, json + "\n");
            Console.WriteLine($"test error {100 * metrics.Error:F2}% ({metrics.Count} images)"
                + (metrics.SampledAccuracy is { } s ? $"; {metrics.MonteCarloSamples} sampled paths averaged: {100 * (1 - s):F2}%" : ""));
            return 0;
        });
        return command;
    }

    static Command Show()
    {
        var run = new Option<string>("--run") { Description = "run folder of 'ram train' (a RAM run)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "PNG grid to write; a GIF with the same name is written beside it", Required = true };
        var count = new Option<int>("--count") { Description = "test digits shown", DefaultValueFactory = _ => 8 };
        var dataDir = CommonOptions.DataDir();
        var command = new Command("show", "Draw where a trained RAM looks: glimpse paths and patches (PNG) and an animation (GIF)") { run, output, count, dataDir };
        command.SetAction(parse =>
        {
            var (record, model) = AttentionRun.Load(parse.GetValue(run)!);
            if (model is not RecurrentAttentionModel ram) throw new DeepscopeException($"{parse.GetValue(run)}: a {record.Options.Model} baseline has no glimpses to show");
            var store = new DatasetStore(DataDirectory.Resolve(parse.GetValue(dataDir)));
            using var task = new DigitTask(record.Options.Task, store, record.Seed);
            var png = parse.GetValue(output)!;
            var gif = Path.ChangeExtension(png, ".gif");
            var paths = GlimpseFigures.Write(ram, record, task.Test, parse.GetValue(count), png, gif);
            foreach (var p in paths)
                Console.WriteLine($"digit {p.Label} -> {p.Predicted}: P(true class) after each glimpse {string.Join(" ", p.TrueClassProbability.Select(x => x.ToString("F2")))}");
            Console.WriteLine($"wrote {png} and {gif}");
            return 0;
        });
        return command;
    }
}
