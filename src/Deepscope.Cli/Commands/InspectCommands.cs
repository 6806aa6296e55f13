using System.CommandLine;
using System.Globalization;
using Deepscope.Catalogs;
using Deepscope.Cli.Terminal;
using Deepscope.Runtime;
using Deepscope.Studies.Inspection;

namespace Deepscope.Cli.Commands;

/// <summary>
/// <c>deepscope inspect train --data TRAIN_DIR --output RUN [--model resnet18 --PARAM VALUE ...]</c> trains the
/// good/bad classifier of the inspection study (its parameters in kebab case); <c>deepscope inspect predict --run RUN
/// --input TEST_DIR --output submission.csv</c> writes the contest's submission.
/// </summary>
static class InspectCommands
{
    public static Command Create() => new("inspect", "Good/bad image inspection (the Nexperia contest): train a CNN, write a submission") { Train(), Predict() };

    static Command Train()
    {
        var output = new Option<string>("--output", "-o") { Description = "run folder (weights, inspection.json, history; an unfinished run resumes)", Required = true };
        var seed = CommonOptions.Seed("the split, initialisation, shuffling and augmentation");
        var threads = CommonOptions.Threads();
        var command = new Command("train", "Train the inspection classifier on a folder of two class subfolders (or a CSV of path,label); " +
            "study parameters as --name value (--data, --model, --weights, --image-size, --epochs, --imbalance, --validation, ...)") { output, seed, threads };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            var options = OptionsBinder.Bind(new InspectionOptions(), GenerateCommand.Parameters(parse.UnmatchedTokens), "inspect train");
            if (options.Data.Length == 0) throw new DeepscopeException("--data is required: a folder of class subfolders or a CSV of path,label");
            TorchRuntime.Configure(parse.GetValue(threads));
            long s = parse.GetValue(seed);
            var data = InspectionData.Load(options.Data, options.PositiveClass);
            var (train, validation) = InspectionData.HoldOut(data.Labels, options.HoldOutFraction, s);
            var folder = Path.GetFullPath(parse.GetValue(output)!);
            Directory.CreateDirectory(folder);
            Console.WriteLine($"{options.Model} at {options.ImageSize}px on {train.Length} images ({validation.Length} for validation), positive class '{options.PositiveClass}' -> {folder}");
            var record = CliProgress.Run(p => InspectionTraining.Train(options, data, train, validation, folder, s, p, r =>
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {r.Epoch,3}: train loss {r.TrainLoss:F4} | validation AUC {r.Metrics.GetValueOrDefault("eval_roc_auc"):F4} | {r.ImagesPerSecond:F0} img/s, {r.Seconds:F1}s"))));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"best validation AUC {record.ValidationAuc:F4} at epoch {record.BestEpoch}, {record.TrainingSeconds:F0}s training; weights in {folder}"));
            return 0;
        });
        return command;
    }

    static Command Predict()
    {
        var run = new Option<string>("--run") { Description = "run folder of 'deepscope inspect train' (or a study's training artifact folder)", Required = true };
        var input = new Option<string>("--input") { Description = "folder of unlabelled test images (ids are the file names without extension)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "submission CSV to write (id,label with the bad-class probability), atomically", Required = true };
        var threads = CommonOptions.Threads();
        var command = new Command("predict", "Score a folder of test images and write the contest's submission CSV") { run, input, output, threads };
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var files = InspectionData.ListTest(parse.GetValue(input)!);
            using var predictor = new InspectionPredictor(parse.GetValue(run)!);
            var scores = CliProgress.Run(p => predictor.Score([.. files.Select(f => f.Path)], p));
            int rows = InspectionPredictor.WriteSubmission(parse.GetValue(output)!, [.. files.Select((f, i) => (f.Id, scores.Probabilities[i]))]);
            Console.WriteLine($"{rows} rows written to {parse.GetValue(output)}");
            return 0;
        });
        return command;
    }
}
