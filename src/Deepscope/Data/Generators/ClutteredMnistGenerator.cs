using Deepscope.Catalogs;
using Deepscope.Data.Sources;
using Deepscope.IO;

using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace Deepscope.Data.Generators;

/// <summary>Settings of saved cluttered (or, with no distractors, translated) MNIST sets.</summary>
public sealed record ClutteredMnistOptions
{
    [Param(Min = 28, Description = "canvas side")] public int Size { get; init; } = 60;
    [Param(Min = 0, Description = "pieces of clutter per canvas (0: translated MNIST)")] public int Distractors { get; init; } = 4;
    [Param(Min = 1, Max = 28, Description = "side of each piece of clutter")] public int DistractorSize { get; init; } = 8;
    [Param(Min = 0, Max = 50000, Description = "training images to save (training normally generates them on the fly)")] public int Train { get; init; }
    [Param(Description = "MNIST folder (default: the data directory)")] public string? DataDir { get; init; }
}

/// <summary>
/// Writes fixed translated or cluttered MNIST sets (Mnih et al. 2014; DeepMind's mnist-cluttered) as <c>.npy</c>:
/// <c>SPLIT-images.npy</c> (N, 1, size, size) uint8 and <c>SPLIT-labels.npy</c> int64 for the validation (last 10,000
/// MNIST training digits) and test (MNIST test digits) splits, optionally the first N training digits, and
/// <c>sample.png</c>, a grid of test images. The seed is the attention study's test seed: the saved validation and test
/// sets are exactly the images a study or <c>ram train</c> with that test seed evaluates on.
/// </summary>
public sealed class ClutteredMnistGenerator(ClutteredMnistOptions options) : IDatasetGenerator
{
    public string Generate(string folder, long seed, IProgressReporter progress)
    {
        var task = new DigitTaskOptions
        {
            Dataset = options.Distractors == 0 ? DigitDataset.TranslatedMnist : DigitDataset.ClutteredMnist,
            Size = options.Size, Distractors = options.Distractors, DistractorSize = options.DistractorSize, TestSeed = seed,
        };
        using var digits = new DigitTask(task, new DatasetStore(DataDirectory.Resolve(options.DataDir), allowDownload: false), seed);
        var splits = new List<(string Name, IDataSource Source, long Count)> { ("validation", digits.Validation, digits.Validation.Count), ("test", digits.Test, digits.Test.Count) };
        if (options.Train > 0) splits.Insert(0, ("train", digits.Train, options.Train));
        foreach (var (name, source, count) in splits) Save(folder, name, source, count, progress);
        WriteSample(Path.Combine(folder, "sample.png"), digits.Test, options.Size);
        return $"{task.Describe()}: {string.Join(", ", splits.Select(s => $"{s.Count:N0} {s.Name}"))} images in {Path.GetFileName(folder.TrimEnd('/'))} (test seed {seed})";
    }

    static void Save(string folder, string split, IDataSource source, long count, IProgressReporter progress)
    {
        var shape = source.Fields.First(f => f.Name == Fields.Input).Shape;
        using var images = new NpyStreamWriter(Path.Combine(folder, $"{split}-images.npy"), ScalarType.Byte, shape);
        using var labels = new NpyStreamWriter(Path.Combine(folder, $"{split}-labels.npy"), ScalarType.Int64);
        using var task = progress.Start($"{split} images", count, "img");
        for (long start = 0; start < count; start += 1000)
        {
            long n = Math.Min(1000, count - start);
            using var batch = source.Read([.. Enumerable.Range(0, (int)n).Select(i => start + i)], 0);
            images.Append(batch[Fields.Input]);
            labels.Append(batch[Fields.Label]);
            task.Advance(n);
        }
        images.Complete();
        labels.Complete();
    }

    static void WriteSample(string path, IDataSource test, int side)
    {
        const int columns = 8, rows = 4;
        using var batch = test.Read([.. Enumerable.Range(0, columns * rows).Select(i => (long)i)], 0);
        var pixels = batch[Fields.Input].contiguous().data<byte>().ToArray();
        using var grid = new Image<L8>(columns * (side + 2), rows * (side + 2), new L8(128));
        for (int i = 0; i < columns * rows; i++)
            for (int r = 0; r < side; r++)
                for (int c = 0; c < side; c++)
                    grid[i % columns * (side + 2) + c, i / columns * (side + 2) + r] = new L8(pixels[(i * side + r) * side + c]);
        AtomicFile.Write(path, s => grid.SaveAsPng(s));
    }
}
