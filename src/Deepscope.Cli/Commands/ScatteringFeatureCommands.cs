using System.CommandLine;
using Deepscope.Cli.Terminal;
using Deepscope.Data;
using Deepscope.Features;
using Deepscope.Runtime;
using Spectre.Console;

namespace Deepscope.Cli.Commands;

/// <summary>
/// <c>deepscope features scattering</c>: scattering coefficients of a dataset's train and test splits in the shared
/// <see cref="FeatureSet"/> layout (train_/test_ features and labels .npy, features.json) that the learners read.
/// </summary>
static class ScatteringFeatureCommands
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = $"Dataset name: {string.Join(", ", Datasets.Names)}", Required = true };
        var output = new Option<string>("--output") { Description = "Output directory (train_features.npy, train_labels.npy, test_..., features.json)", Required = true };
        var limit = new Option<long?>("--limit") { Description = "Only the first N images of each split (quick runs)" };
        var dataDir = CommonOptions.DataDir();
        var mirror = CommonOptions.Mirror();
        var noDownload = CommonOptions.NoDownload();
        var options = ScatteringOptions.Create();
        var command = new Command("scattering", "Scattering2D coefficients of every image, flattened, as float32 features")
            { dataset, output, limit, dataDir, mirror, noDownload };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(options.Threads));
            if (parse.GetValue(limit) is < 1) throw new DeepscopeException("--limit must be at least 1");
            var root = DataDirectory.Resolve(parse.GetValue(dataDir));
            var directory = parse.GetValue(output)!;
            var info = CliProgress.Run(progress => ScatteringFeatures.ExtractDataset(
                new DatasetStore(root, !parse.GetValue(noDownload), progress, CommonOptions.Mirrors(parse.GetValue(mirror))),
                parse.GetValue(dataset)!, options.Settings(parse), directory, progress, parse.GetValue(limit)));
            Print(info, directory);
            return 0;
        });
        return command;
    }

    static void Print(FeatureSetInfo info, string directory)
    {
        var console = AnsiConsole.Console;
        console.MarkupLine($"[bold]{Markup.Escape(info.Extractor)}[/] features of [bold]{Markup.Escape(info.Dataset)}[/] in {Markup.Escape(Path.GetFullPath(directory))}: " +
            $"{info.FeatureDim} per image (shape {string.Join("x", info.FeatureShape)})");
        var table = new Table().AddColumns("split", "images", "features", "labels", "seconds");
        table.AddRow("train", info.TrainCount.ToString("N0"), FeatureSet.TrainFeaturesFile, FeatureSet.TrainLabelsFile, $"{info.TimingsSeconds.GetValueOrDefault("train_scattering"):F1}");
        table.AddRow("test", info.TestCount.ToString("N0"), FeatureSet.TestFeaturesFile, FeatureSet.TestLabelsFile, $"{info.TimingsSeconds.GetValueOrDefault("test_scattering"):F1}");
        console.Write(table);
    }
}
