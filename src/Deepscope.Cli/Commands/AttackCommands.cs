using System.CommandLine;
using System.Globalization;
using Deepscope.Cli.Terminal;
using Deepscope.Data;
using Deepscope.IO;
using Deepscope.Robustness;
using Deepscope.Runtime;
using Deepscope.Training;
using Spectre.Console;

namespace Deepscope.Cli.Commands;

/// <summary>
/// <c>deepscope attack</c>: adversarial examples against a trained run, one budget or a sweep; <c>deepscope spectra</c>:
/// its layers' largest singular values and the product bound on its Lipschitz constant.
/// </summary>
static class AttackCommands
{
    public static IEnumerable<Command> Create() => [Attack(), Spectra()];

    static Command Attack()
    {
        var defaults = new AttackOptions();
        var run = new Option<string>("--run") { Description = "Run directory written by train or finetune", Required = true };
        var method = new Option<string>("--method") { Description = "fgsm, pgd, cw or deepfool", DefaultValueFactory = _ => defaults.Method };
        var eps = new Option<string?>("--eps") { Description = "Budget in pixels [0, 1] (fractions like 8/255 allowed); comma-separated values sweep and plot accuracy against eps (default: torchattacks', 8/255, or 1.0 for PGD-L2)" };
        var norm = new Option<string>("--norm") { Description = "PGD ball: linf or l2", DefaultValueFactory = _ => defaults.Norm };
        var steps = new Option<int>("--steps") { Description = "Iterations (default: PGD 10, CW 50, DeepFool 50)" };
        var alpha = new Option<double>("--alpha") { Description = "PGD step size (default: 2/255 for linf, 0.2 for l2)" };
        var restarts = new Option<int>("--restarts") { Description = "PGD random restarts", DefaultValueFactory = _ => defaults.Restarts };
        var noRandomStart = new Option<bool>("--no-random-start") { Description = "PGD starts at the clean image" };
        var c = new Option<double>("--c") { Description = "CW: weight of the classification term (first value of the search)", DefaultValueFactory = _ => defaults.C };
        var kappa = new Option<double>("--kappa") { Description = "CW: confidence margin", DefaultValueFactory = _ => defaults.Kappa };
        var lr = new Option<double>("--lr") { Description = "CW: Adam learning rate", DefaultValueFactory = _ => defaults.LearningRate };
        var search = new Option<int>("--search-steps") { Description = "CW: binary search steps over c (1: c fixed)", DefaultValueFactory = _ => defaults.SearchSteps };
        var overshoot = new Option<double>("--overshoot") { Description = "DeepFool: overshoot", DefaultValueFactory = _ => defaults.Overshoot };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset whose test split is attacked (default: the run's)" };
        var limit = new Option<long?>("--limit") { Description = "Attack the first N test images only" };
        var seed = CommonOptions.Seed("the random starts");
        var batch = new Option<int>("--batch-size") { Description = "Images attacked at once", DefaultValueFactory = _ => 256 };
        var output = new Option<string>("--output", "-o") { Description = "Output folder (adversarial.npy, examples.csv, metrics.json, figures)", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace a non-empty output folder" };
        var best = new Option<bool>("--best") { Description = "Attack the best epoch's weights instead of the final ones" };
        var threads = CommonOptions.Threads();
        var dataDir = CommonOptions.DataDir();
        var noDownload = CommonOptions.NoDownload();
        var command = new Command("attack", "Adversarial attacks (FGSM, PGD, Carlini-Wagner L2, DeepFool) on a trained run's test images, in pixel space [0, 1]")
            { run, method, eps, norm, steps, alpha, restarts, noRandomStart, c, kappa, lr, search, overshoot, dataset, limit, seed, batch, output, force, best, threads, dataDir, noDownload };
        command.SetAction(parse =>
        {
            var options = new AttackOptions
            {
                Method = parse.GetValue(method)!.ToLowerInvariant(), Norm = parse.GetValue(norm)!, Steps = parse.GetValue(steps), StepSize = parse.GetValue(alpha),
                RandomStart = !parse.GetValue(noRandomStart), Restarts = parse.GetValue(restarts), C = parse.GetValue(c), Kappa = parse.GetValue(kappa),
                LearningRate = parse.GetValue(lr), SearchSteps = parse.GetValue(search), Overshoot = parse.GetValue(overshoot),
            };
            options.Create(); // validates the method and norm before any loading
            IReadOnlyList<double?> budgets = parse.GetValue(eps) is { } text ? [.. AttackOptions.ParseEpsilons(text).Select(v => (double?)v)] : [null];
            var directory = Path.GetFullPath(parse.GetValue(run)!);
            var record = RunRecord.Read(directory);
            var spec = Datasets.Get(parse.GetValue(dataset) ?? record.Dataset);
            TorchRuntime.Configure(parse.GetValue(threads));
            var model = record.LoadModel(directory, parse.GetValue(best));
            using var pixelModel = new PixelSpaceClassifier(model, record.Input);
            using var test = TrainCommands.LoadTestSplit(record, spec, parse.GetValue(dataDir), parse.GetValue(noDownload), parse.GetValue(limit));
            var examples = Examples.From(test);
            using var pixels = record.Input.ToUnitFloat(examples.Inputs);
            var console = AnsiConsole.Console;
            var metrics = AtomicDirectory.Write(parse.GetValue(output)!, parse.GetValue(force), folder => CliProgress.Run(p =>
                AttackEvaluation.Run(pixelModel, options, budgets, pixels, examples.Labels, parse.GetValue(seed), parse.GetValue(batch), folder,
                    directory, spec.Name, p, o => console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"{o.Attack}: clean {100 * o.CleanAccuracy:F2}% -> robust {100 * o.RobustAccuracy:F2}% (success {100 * o.SuccessRate:F2}% of correct), mean L2 {o.MeanL2:F4}, L-inf {o.MeanLInf:F4}, {o.ExamplesPerSecond:F1} img/s"))))));
            console.MarkupLine(Markup.Escape($"{metrics.Count} {spec.Name} test images attacked; results in {Path.GetFullPath(parse.GetValue(output)!)}"));
            return 0;
        });
        return command;
    }

    static Command Spectra()
    {
        var run = new Option<string>("--run") { Description = "Run directory written by train or finetune", Required = true };
        var best = new Option<bool>("--best") { Description = "Use the best epoch's weights instead of the final ones" };
        var top = new Option<int>("--top") { Description = "Largest singular values shown per layer", DefaultValueFactory = _ => 3 };
        var output = new Option<string?>("--output", "-o") { Description = "Also write the spectra and the bound as JSON here" };
        var command = new Command("spectra", "Largest singular values of a run's linear, convolution and batch-norm layers and the product bound on its Lipschitz constant")
            { run, best, top, output };
        command.SetAction(parse =>
        {
            var directory = Path.GetFullPath(parse.GetValue(run)!);
            var record = RunRecord.Read(directory);
            using var model = record.LoadModel(directory, parse.GetValue(best));
            var layers = LipschitzBound.Layers(model, parse.GetValue(top));
            double bound = LipschitzBound.Product(layers);
            var table = new Table().AddColumns("layer", "kind", "largest singular values", "factor");
            foreach (var l in layers)
                table.AddRow(Markup.Escape(l.Name), l.Kind, string.Join(", ", l.LargestSingularValues.Select(v => v.ToString("F4", CultureInfo.InvariantCulture))),
                    l.Factor.ToString("F4", CultureInfo.InvariantCulture));
            var console = AnsiConsole.Console;
            console.Write(table);
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{record.Model} ({record.Defence ?? "plain"}): Lipschitz product bound {bound:G6} (input normalisation excluded)")));
            if (parse.GetValue(output) is { } path)
                AtomicFile.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(new { model = record.Model, run = directory, lipschitz_bound = bound, layers }, JsonFormat.Options));
            return 0;
        });
        return command;
    }
}
