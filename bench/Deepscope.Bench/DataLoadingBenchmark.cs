using System.Diagnostics;
using Deepscope.Data;

namespace Deepscope.Bench;

/// <summary>Loads whole datasets from the data directory repeatedly and prints images/s.</summary>
public sealed class DataLoadingBenchmark : IBenchmark
{
    public string Name => "data";
    public string Description => "load MNIST / Fashion-MNIST / CIFAR-10 (train+test) from the data directory; prints images/s";

    public int Run(string[] args)
    {
        var store = new DatasetStore(DataDirectory.Resolve(args.Length > 0 ? args[0] : null), allowDownload: false);
        foreach (var name in new[] { "mnist", "fashion-mnist", "cifar10" })
        {
            var spec = Datasets.Get(name);
            if (!spec.IsPresent(store.FolderOf(spec))) { Console.WriteLine($"{name}: not in {store.Root}, skipped"); continue; }
            const int repeats = 5;
            long images = 0;
            var clock = Stopwatch.StartNew();
            for (int r = 0; r < repeats; r++)
                foreach (var split in new[] { Split.Train, Split.Test })
                    using (var set = store.Load(spec, split)) images += set.Count;
            clock.Stop();
            Console.WriteLine($"{name,-14} {images / repeats,7} images per load, {clock.Elapsed.TotalSeconds / repeats:F3} s per load, {images / clock.Elapsed.TotalSeconds:N0} images/s");
        }
        return 0;
    }
}
