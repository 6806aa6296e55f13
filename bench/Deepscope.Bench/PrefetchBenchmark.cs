using System.Diagnostics;
using System.Globalization;
using Deepscope.Data;
using Deepscope.Data.Sources;
using Deepscope.Models;
using Deepscope.Runtime;
using Deepscope.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// Whether BatchLoader's read-ahead pays: one LeNet SGD step per batch of 64 MNIST images, fed by the loader without
/// and with prefetch, from (a) MNIST in memory and (b) the same images as a lazy folder of PNGs (written once to
/// /tmp). Also the loader alone (no model), the data side's own rate. Prints img/s of each run and the median.
/// </summary>
public sealed class PrefetchBenchmark : IBenchmark
{
    public string Name => "prefetch";
    public string Description => "BatchLoader sync vs prefetch, img/s with a LeNet step: [--images 6000] [--runs 3] [--prefetch 2] [--threads N] [--data-dir DIR]";

    public int Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        int images = int.Parse(Arg("--images", "6000"), CultureInfo.InvariantCulture);
        int runs = int.Parse(Arg("--runs", "3"), CultureInfo.InvariantCulture);
        int prefetch = int.Parse(Arg("--prefetch", "2"), CultureInfo.InvariantCulture);
        var threads = Arg("--threads", "");
        TorchRuntime.Configure(threads == "" ? null : int.Parse(threads, CultureInfo.InvariantCulture));
        var store = new DatasetStore(DataDirectory.Resolve(Arg("--data-dir", "") is "" ? null : Arg("--data-dir", "")), allowDownload: false);
        using var train = store.Load("mnist", Split.Train);
        using var subset = train.Take(images);
        var memory = TensorSource.Labeled(subset);
        var folder = new ImageFolderSource(PngFolder(subset), grayscale: true);
        Console.WriteLine($"{images} images, batch 64, libtorch threads {get_num_threads()}, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        foreach (var (name, source) in new (string, IDataSource)[] { ("memory", memory), ("png folder", folder) })
            foreach (var step in new[] { false, true })
                foreach (var ahead in new[] { 0, prefetch })
                {
                    var rates = Enumerable.Range(0, runs).Select(_ => Epoch(source, ahead, step)).ToArray();
                    Console.WriteLine($"{name,-10} {(step ? "lenet step" : "loader only"),-11} prefetch {ahead}: median {Median(rates),8:N0} img/s  (runs {string.Join(", ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))})");
                }
        return 0;
    }

    /// <summary>One epoch's images per second; with <paramref name="step"/> each batch also trains LeNet one SGD step.</summary>
    static double Epoch(IDataSource source, int prefetch, bool step)
    {
        random.manual_seed(0);
        using var model = ModelZoo.lenet();
        using var optimizer = new OptimizerOptions { LearningRate = 0.01, Momentum = 0.9 }.Create([new ParameterGroup("all", model.parameters().ToList())]);
        using var shuffle = new TorchSharp.torch.Generator(1);
        var clock = Stopwatch.StartNew();
        long seen = 0;
        foreach (var batch in new BatchLoader(source, 64, prefetch: prefetch).Epoch(0, shuffle))
        {
            using var scope = NewDisposeScope();
            using (batch)
            {
                seen += batch.Count;
                if (!step) continue;
                var input = batch[Fields.Input];
                var x = input.dtype == ScalarType.Byte ? input.to_type(ScalarType.Float32).div_(255f) : input;
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.forward(x), batch[Fields.Label]).backward();
                optimizer.step();
            }
        }
        return seen / clock.Elapsed.TotalSeconds;
    }

    static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);

    /// <summary>The images as 8-bit PNGs in class subfolders under /tmp, written once per image count.</summary>
    static string PngFolder(LabeledImages set)
    {
        var root = Path.Combine(Path.GetTempPath(), $"deepscope-prefetch-mnist-{set.Count}");
        if (Directory.Exists(root)) return root;
        var partial = root + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        var pixels = set.Images.contiguous().data<byte>().ToArray();
        var labels = set.Labels.data<long>().ToArray();
        for (int i = 0; i < set.Count; i++)
        {
            var folder = Path.Combine(partial, labels[i].ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            using var image = Image.LoadPixelData<L8>(pixels.AsSpan(i * 784, 784), 28, 28);
            image.SaveAsPng(Path.Combine(folder, $"{i:D6}.png"));
        }
        Directory.Move(partial, root);
        return root;
    }
}
