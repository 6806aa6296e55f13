using System.CommandLine;
using System.Globalization;
using Deepscope.Catalogs;
using Deepscope.Cli.Terminal;
using Deepscope.Runtime;
using Deepscope.Text;
using Deepscope.Training.Metrics;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope text train|predict|evaluate</c>: emotion classification of three-turn dialogues (EmoContext).</summary>
static class TextCommands
{
    public static Command Create() => new("text", "Emotion detection in three-turn dialogues (EmoContext, SemEval-2019 Task 3): train, predict, evaluate")
    {
        Train(), Predict(), Evaluate(),
    };

    static Command Train()
    {
        var defaults = new TextTrainingOptions();
        var data = new Option<string>("--data") { Description = "Folder with train.txt and dev.txt (EmoContext's tab-separated format)", Required = true };
        var model = new Option<string>("--model") { Description = $"Model: {string.Join(", ", TextModelKind.All.Select(k => k.Name))}", DefaultValueFactory = _ => defaults.Model };
        var output = new Option<string>("--output") { Description = "Run folder to write", Required = true };
        var epochs = new Option<int?>("--epochs") { Description = $"Training epochs (default {defaults.Epochs})" };
        var embeddings = new Option<string?>("--embeddings") { Description = $"Token vectors: skip-gram (trained here), random, or a GloVe/word2vec text file (default {defaults.Embeddings})" };
        var calibration = new Option<Calibration?>("--calibration")
        {
            Description = $"Decision offsets fitted on dev for the test's prior shift: none, prior or tuned (default {defaults.Calibration.ToString().ToLowerInvariant()})",
        };
        var param = new Option<string[]>("--param") { Description = "Any training option name=value (repeatable), e.g. hidden=128, learning_rate=0.001, min_count=1" };
        var seed = CommonOptions.Seed("initial weights, shuffling, dropout and skip-gram");
        var threads = CommonOptions.Threads();
        var command = new Command("train", "Train a model on DIR/train.txt, tune on DIR/dev.txt, print the official dev metrics")
        {
            data, model, output, epochs, embeddings, calibration, param, seed, threads,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var values = OptionsBinder.ParsePairs(parse.GetValue(param) ?? []);
            values["model"] = parse.GetValue(model)!;
            values["seed"] = parse.GetValue(seed).ToString(CultureInfo.InvariantCulture);
            if (parse.GetValue(epochs) is { } e) values["epochs"] = e.ToString(CultureInfo.InvariantCulture);
            if (parse.GetValue(embeddings) is { } v) values["embeddings"] = v;
            if (parse.GetValue(calibration) is { } c) values["calibration"] = c.ToString().ToLowerInvariant();
            var options = OptionsBinder.Bind(new TextTrainingOptions(), values, "text train");
            var folder = parse.GetValue(data)!;
            var record = CliProgress.Run(p => TextTraining.Train(options, Path.Combine(folder, "train.txt"), Path.Combine(folder, "dev.txt"), parse.GetValue(output)!, p));
            var s = record.Summary;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Model}: best epoch {s.BestEpoch}, {s.TrainingSeconds:F0} s ({s.EmbeddingSeconds:F0} s token vectors), {s.SequencesPerSecond:F0} dialogues/s"));
            Console.WriteLine($"dev, most probable class: {Describe(s.DevRaw)}");
            Console.WriteLine($"dev, {options.Calibration.ToString().ToLowerInvariant()} offsets [{string.Join(", ", s.Offsets.Select(o => o.ToString("F2", CultureInfo.InvariantCulture)))}]: {Describe(s.DevCalibrated)}");
            return 0;
        });
        return command;
    }

    static Command Predict()
    {
        var run = new Option<string>("--run") { Description = "A 'text train' run folder", Required = true };
        var input = new Option<string>("--input") { Description = "Dialogues: id, turn1, turn2, turn3 [, label] tab-separated with a header", Required = true };
        var output = new Option<string>("--output") { Description = "Predictions in the official submission format (the input's columns and the predicted label)", Required = true };
        var threads = CommonOptions.Threads();
        var command = new Command("predict", "Label dialogues with a trained run (official submission format)") { run, input, output, threads };
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var file = EmoContextFile.Read(parse.GetValue(input)!);
            using var model = TextRun.Load(parse.GetValue(run)!);
            var predicted = model.Predict(TextRun.Tokenize(file));
            file.WriteWithLabels(parse.GetValue(output)!, [.. predicted.Select(c => EmoContextFile.Classes[(int)c])]);
            Console.WriteLine($"{predicted.Length} dialogues labelled: " + string.Join(", ",
                EmoContextFile.Classes.Select((name, c) => $"{name} {predicted.Count(p => p == c)}")));
            return 0;
        });
        return command;
    }

    static Command Evaluate()
    {
        var run = new Option<string>("--run") { Description = "A 'text train' run folder", Required = true };
        var input = new Option<string>("--input") { Description = "Labelled dialogues: id, turn1, turn2, turn3, label", Required = true };
        var threads = CommonOptions.Threads();
        var command = new Command("evaluate", "The official metrics (micro/macro F1 over happy, sad, angry) of a run on a labelled file") { run, input, threads };
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var file = EmoContextFile.Read(parse.GetValue(input)!);
            var truth = file.LabelIndices();
            using var model = TextRun.Load(parse.GetValue(run)!);
            var scores = ThresholdCalibration.Score(truth, model.Predict(TextRun.Tokenize(file)));
            Console.WriteLine(Describe(scores));
            foreach (var c in Enumerable.Range(1, EmoContextFile.Classes.Count - 1))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {EmoContextFile.Classes[c],-6} precision {scores.Precision[c]:F4} recall {scores.Recall[c]:F4} F1 {scores.F1[c]:F4}"));
            return 0;
        });
        return command;
    }

    static string Describe(F1Scores s) => string.Create(CultureInfo.InvariantCulture,
        $"micro P {s.MicroPrecision:F4} R {s.MicroRecall:F4} F1 {s.MicroF1:F4}; macro P {s.MacroPrecision:F4} R {s.MacroRecall:F4} F1 {s.MacroF1:F4}");
}
