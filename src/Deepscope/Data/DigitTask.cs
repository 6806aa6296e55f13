using Deepscope.Catalogs;
using Deepscope.Data.Sources;
using Deepscope.Numerics;

namespace Deepscope.Data;

/// <summary>The digit tasks of Mnih et al. 2014.</summary>
public enum DigitDataset { Mnist, TranslatedMnist, ClutteredMnist }

/// <summary>
/// Which digit task and how it is made. Splits as DeepMind's: training = the first 50,000 MNIST training digits,
/// validation = the last 10,000, test = the 10,000 MNIST test digits. Translated and cluttered training images are
/// generated anew every epoch from the run's seed; validation and test images are fixed by <see cref="TestSeed"/>,
/// the same for every run, so runs compare on the same images (and equal the sets `data generate cluttered-mnist` saves).
/// </summary>
public sealed record DigitTaskOptions
{
    [Param(Description = "mnist (28x28), translated-mnist or cluttered-mnist")] public DigitDataset Dataset { get; init; } = DigitDataset.Mnist;
    [Param(Min = 28, Description = "canvas side of translated and cluttered digits")] public int Size { get; init; } = 60;
    [Param(Min = 0, Description = "pieces of clutter on a cluttered canvas")] public int Distractors { get; init; } = 4;
    [Param(Min = 1, Max = 28, Description = "side of each piece of clutter")] public int DistractorSize { get; init; } = 8;
    [Param(Min = 0, Description = "seed of the fixed validation and test images")] public long TestSeed { get; init; }
    [Param(Min = 1, Description = "train on the first N training digits only (quick runs); validation and test stay whole")]
    public int? TrainSubset { get; init; }

    /// <summary>Side of the images the models see.</summary>
    public int ImageSize => Dataset == DigitDataset.Mnist ? 28 : Size;

    public string Describe() => Dataset switch
    {
        DigitDataset.Mnist => "28x28 MNIST",
        DigitDataset.TranslatedMnist => $"{Size}x{Size} translated MNIST",
        _ => $"{Size}x{Size} cluttered MNIST, {Distractors} distractors",
    };
}

/// <summary>The three splits of a digit task (uint8 images, 1 channel); owns the MNIST tensors behind them.</summary>
public sealed class DigitTask : IDisposable
{
    public const int TrainCount = 50_000;
    readonly LabeledImages _train, _test;

    public DigitTaskOptions Options { get; }
    public IDataSource Train { get; }
    public IDataSource Validation { get; }
    public IDataSource Test { get; }

    public DigitTask(DigitTaskOptions options, DatasetStore store, long seed)
    {
        Options = options;
        _train = store.Load("mnist", Split.Train);
        _test = store.Load("mnist", Split.Test);
        var all = TensorSource.Labeled(_train);
        int trainCount = Math.Min(options.TrainSubset ?? TrainCount, TrainCount);
        var train = new SubsetSource(all, [.. Enumerable.Range(0, trainCount).Select(i => (long)i)]);
        var validation = new SubsetSource(all, [.. Enumerable.Range(TrainCount, (int)all.Count - TrainCount).Select(i => (long)i)]);
        var test = TensorSource.Labeled(_test);
        (Train, Validation, Test) = options.Dataset == DigitDataset.Mnist
            ? ((IDataSource)train, (IDataSource)validation, (IDataSource)test)
            : (Place(train, SplitMix64.Derive((ulong)seed, 1), fresh: true),
               Place(validation, SplitMix64.Derive((ulong)options.TestSeed, 2), fresh: false),
               Place(test, SplitMix64.Derive((ulong)options.TestSeed, 3), fresh: false));
    }

    GeneratedSource Place(IDataSource digits, ulong seed, bool fresh) =>
        TranslatedDigits.Create(digits, seed, Options.Size, freshEachEpoch: fresh,
            distractors: Options.Dataset == DigitDataset.ClutteredMnist ? Options.Distractors : 0, distractorSize: Options.DistractorSize);

    public void Dispose()
    {
        _train.Dispose();
        _test.Dispose();
    }
}
