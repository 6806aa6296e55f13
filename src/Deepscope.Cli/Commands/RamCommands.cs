using System.CommandLine;
using System.Text.Json;
using Deepscope.Catalogs;
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

    /// <summary>A text option bound by the catalogs' binder (ranges checked, enum words in any case or with - or _).</summary>
    sealed record Bound(Option<string?> Option, string Record, string Parameter);

    static Command Train()
    {
        var defaults = new AttentionRunOptions();
        var records = new Dictionary<string, object> { ["task"] = defaults.Task, ["ram"] = defaults.Ram, ["run"] = defaults };
        Bound Option(string record, string name, string parameter, string help) =>
            new(new Option<string?>(name) { Description = $"{help} (default {OptionsBinder.Values(records[record])[parameter]})" }, record, parameter);
        Bound Task(string name, string parameter, string help) => Option("task", name, parameter, help);
        Bound Ram(string name, string parameter, string help) => Option("ram", name, parameter, help);
        Bound Run(string name, string parameter, string help) => Option("run", name, parameter, help);
        Bound[] bound =
        [
            Task("--dataset", "dataset", "mnist, translated-mnist or cluttered-mnist"),
            Task("--size", "size", "canvas side of translated/cluttered digits"),
            Task("--distractors", "distractors", "pieces of 8x8 clutter (cluttered-mnist)"),
            Task("--train-subset", "train_subset", "train on the first N training digits only"),
            Run("--model", "model", "ram, ram-random (random glimpses), fc or conv"),
            Ram("--glimpses", "glimpses", "glimpses per image"),
            Ram("--patch", "patch", "retina patch side"),
            Ram("--scales", "scales", "patches per glimpse, each twice as wide"),
            Ram("--core", "core", "rnn (as the paper) or lstm"),
            Ram("--std", "location_std", "standard deviation of the location policy"),
            Ram("--final-std", "final_location_std", "policy sigma at the end of training, reached by a cosine (0: constant)"),
            Ram("--locator-hidden", "locator_hidden", "hidden ReLU units of the location network (0: linear, as the paper)"),
            Run("--epochs", "epochs", "training epochs"),
            Run("--batch-size", "batch_size", "examples per batch"),
            Run("--lr", "learning_rate", "Adam's learning rate (cosine-annealed to 1%)"),
        ];
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "also checkpoint every N steps (0: after each epoch only)" };
        var output = new Option<string>("--output", "-o") { Description = "run folder; an interrupted run in it resumes exactly", Required = true };
        var seed = CommonOptions.Seed("initialisation, shuffling, generated training images and glimpse sampling");
        var threads = CommonOptions.Threads();
        var dataDir = CommonOptions.DataDir();
        var command = new Command("train", "Train RAM or a baseline; validation picks the best epoch") { checkpointEvery, output, seed, threads, dataDir };
        foreach (var b in bound) command.Options.Add(b.Option);
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            Dictionary<string, string> Given(string record) =>
                bound.Where(b => b.Record == record && parse.GetValue(b.Option) is not null)
                    .ToDictionary(b => b.Parameter, b => parse.GetValue(b.Option)!);
            var options = OptionsBinder.Bind(defaults, Given("run"), "ram train") with
            {
                Task = OptionsBinder.Bind(defaults.Task, Given("task"), "ram train"),
                Ram = OptionsBinder.Bind(defaults.Ram, Given("ram"), "ram train"),
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
