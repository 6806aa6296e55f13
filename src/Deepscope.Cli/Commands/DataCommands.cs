using System.CommandLine;
using System.Diagnostics;
using Deepscope.Cli.Terminal;
using Deepscope.Data;
using Spectre.Console;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope data info|download|generate</c>.</summary>
static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "Inspect, download and generate datasets");
        data.Subcommands.Add(Info());
        data.Subcommands.Add(Download());
        data.Subcommands.Add(GenerateCommand.Create());
        return data;
    }

    static Command Info()
    {
        var dataset = CommonOptions.Dataset();
        var dataDir = CommonOptions.DataDir();
        var mirror = CommonOptions.Mirror();
        var noDownload = CommonOptions.NoDownload();
        var command = new Command("info", "Counts per split, image shape, classes and class balance") { dataset, dataDir, mirror, noDownload };
        command.SetAction(parse =>
        {
            var spec = Datasets.Get(parse.GetValue(dataset)!);
            var root = DataDirectory.Resolve(parse.GetValue(dataDir));
            CliProgress.Run(p => new DatasetStore(root, !parse.GetValue(noDownload), p, CommonOptions.Mirrors(parse.GetValue(mirror))).EnsurePresent(spec));
            var store = new DatasetStore(root, allowDownload: false);
            var clock = Stopwatch.StartNew();
            using var train = store.Load(spec, Split.Train);
            using var test = store.Load(spec, Split.Test);
            clock.Stop();
            Print(spec, store, train, test, clock.Elapsed);
            return 0;
        });
        return command;
    }

    static Command Download()
    {
        var dataset = CommonOptions.Dataset();
        var dataDir = CommonOptions.DataDir();
        var mirror = CommonOptions.Mirror();
        var command = new Command("download", "Download a dataset from its official sources into the data directory (checksums verified)")
            { dataset, dataDir, mirror };
        command.SetAction(parse =>
        {
            var spec = Datasets.Get(parse.GetValue(dataset)!);
            var root = DataDirectory.Resolve(parse.GetValue(dataDir));
            CliProgress.Run(p =>
            {
                var store = new DatasetStore(root, true, p, CommonOptions.Mirrors(parse.GetValue(mirror)));
                if (spec.IsPresent(store.FolderOf(spec)))
                    Console.WriteLine($"{spec.Name}: already present in {store.FolderOf(spec)}");
                else
                {
                    store.Download(spec);
                    Console.WriteLine($"{spec.Name}: downloaded to {store.FolderOf(spec)}");
                }
            });
            return 0;
        });
        return command;
    }

    static void Print(DatasetSpec spec, DatasetStore store, LabeledImages train, LabeledImages test, TimeSpan loadTime)
    {
        var console = AnsiConsole.Console;
        console.MarkupLine($"[bold]{spec.Name}[/] from {Markup.Escape(store.FolderOf(spec))} (loaded in {loadTime.TotalSeconds:F2}s)");
        var splits = new Table().AddColumns("split", "images", "shape (C,H,W)", "dtype");
        foreach (var (name, set) in new[] { ("train", train), ("test", test) })
            splits.AddRow(name, set.Count.ToString("N0"), string.Join("x", set.ImageShape), set.Images.dtype == TorchSharp.torch.ScalarType.Byte ? "uint8" : set.Images.dtype.ToString().ToLowerInvariant());
        console.Write(splits);

        var trainCounts = train.ClassCounts();
        var testCounts = test.ClassCounts();
        var classes = new Table().AddColumns("label", "class", "train", "train %", "test", "test %");
        for (int c = 0; c < train.Classes.Count; c++)
            classes.AddRow(c.ToString(), Markup.Escape(train.Classes[c]), trainCounts[c].ToString("N0"), $"{100.0 * trainCounts[c] / train.Count:F2}",
                testCounts[c].ToString("N0"), $"{100.0 * testCounts[c] / test.Count:F2}");
        console.Write(classes);
        double imbalance = (double)trainCounts.Max() / Math.Max(1, trainCounts.Min());
        console.MarkupLine($"{train.Classes.Count} classes; train balance max/min = {imbalance:F2}");
        foreach (var note in spec.Notes(store.FolderOf(spec)))
            console.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
    }
}
