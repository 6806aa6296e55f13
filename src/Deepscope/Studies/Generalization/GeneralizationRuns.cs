using Deepscope.Data;
using Deepscope.Data.Sources;
using Deepscope.Models;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Studies.Generalization;

/// <summary>Which part of the study a run belongs to.</summary>
public enum RunGroup { Randomization, Table, Sweep }

/// <summary>
/// One training run of the study: a model (a zoo name, or <c>width-cnn</c> / <c>resnet18</c> at <see cref="Width"/>
/// in the sweep), the randomisation of its training set and its regulariser setting.
/// </summary>
public sealed record RunCell(RunGroup Group, string Model, int Width, string Randomization, string Regularizer)
{
    public string Label => Group == RunGroup.Sweep ? $"{Model} width {Width}" : $"{Model}, {Randomization}, {Regularizer}";
}

/// <summary>One epoch of a run: training loss and accuracy averaged over the epoch's batches, then test loss and accuracy.</summary>
public sealed record EpochPoint(int Epoch, long Step, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy, double ImagesPerSecond);

/// <summary>A finished run: its cell, size, per-epoch curve and the step at which it first fitted its training set.</summary>
public sealed record RunSummary(RunCell Cell, long Parameters, long TrainCount, long StepsPerEpoch, IReadOnlyList<EpochPoint> Epochs, long? StepsToFit, double Seconds)
{
    public EpochPoint Last => Epochs[^1];
    public bool Fitted => StepsToFit is not null;
}

/// <summary>The study's grid of runs and how one run is trained.</summary>
public sealed class GeneralizationRuns(GeneralizationOptions options)
{
    public const int Classes = 10, CropSize = 28;

    /// <summary>Every run in a fixed order: randomisation tests, then table 1, then the sweep (smallest models first).</summary>
    public IEnumerable<RunCell> Cells()
    {
        foreach (var model in options.RandomizationModels)
            foreach (var r in options.Randomizations)
                yield return new RunCell(RunGroup.Randomization, model, 0, Data.Sources.Randomization.Parse(r).ToString(), "none");
        foreach (var model in options.TableModels)
        {
            foreach (var reg in options.Regularizers)
                yield return new RunCell(RunGroup.Table, model, 0, "true-labels", Regularizer.Parse(reg).ToString());
            yield return new RunCell(RunGroup.Table, model, 0, "random-labels", "none");
        }
        foreach (var w in options.SweepWidths) yield return new RunCell(RunGroup.Sweep, options.SweepBatchNorm ? "width-cnn" : "width-cnn-no-bn", w, "true-labels", "none");
        foreach (var w in options.SweepResnetWidths) yield return new RunCell(RunGroup.Sweep, "resnet18", w, "true-labels", "none");
    }

    /// <summary>
    /// The settings a run's result depends on. Table runs without regularisers are the same training as the
    /// randomisation test's, so the key leaves the group out and the two share one stage. A sweep that trains its whole
    /// budget is another training, so its key differs.
    /// </summary>
    public StageKey Key(RunCell cell, long seed)
    {
        bool sweep = cell.Group == RunGroup.Sweep;
        var reg = Regularizer.Parse(cell.Regularizer);
        var definition = new
        {
            cell.Model, cell.Width, cell.Randomization, cell.Regularizer, Sweep = sweep,
            options.Dataset, options.TrainSubset, options.TestSubset, options.BatchSize, options.Momentum, options.LearningRateDecay, options.LearningRateDecayImages, options.FitThreshold,
            Epochs = EpochsOf(cell),
            LearningRate = LearningRateOf(cell),
            WeightDecay = reg.WeightDecay ? options.WeightDecay : 0,
            CropShift = reg.Crop ? options.CropShift : 0,
            Dropout = reg.Dropout ? options.Dropout : 0,
            Seed = seed,
        };
        // Wrapped rather than a new field, so that the keys of runs that stop at fit stay those of earlier versions.
        return new StageKey("generalization-run", TrainsWholeBudget(cell) ? new { definition, TrainsWholeBudget = true } : (object)definition);
    }

    /// <summary>A sweep run told not to stop at fit: it trains every epoch of its budget.</summary>
    bool TrainsWholeBudget(RunCell cell) => cell.Group == RunGroup.Sweep && !options.SweepStopAtFit;

    /// <summary>The run's epoch budget: the sweep has its own.</summary>
    public int EpochsOf(RunCell cell) => cell.Group == RunGroup.Sweep ? options.SweepEpochs : options.Epochs;

    double LearningRateOf(RunCell cell) =>
        cell.Group == RunGroup.Sweep ? options.SweepLearningRate : cell.Model.StartsWith("inception", StringComparison.Ordinal) ? options.InceptionLearningRate : options.LearningRate;

    /// <summary>
    /// The paper's decay, applied at every epoch's end: by the decay factor per epoch, or, with
    /// <see cref="GeneralizationOptions.LearningRateDecayImages"/>, by the factor's power of (training images / that
    /// count), so a 10,000-image subset decays as the full set does per optimizer step rather than five times faster.
    /// </summary>
    public LearningRateSchedule Schedule(long trainImages) => new()
    {
        Kind = ScheduleKind.Step,
        StepSize = 1,
        Gamma = options.LearningRateDecayImages > 0 ? Math.Pow(options.LearningRateDecay, (double)trainImages / options.LearningRateDecayImages) : options.LearningRateDecay,
    };

    /// <summary>The run's network, freshly initialised from torch's global generator.</summary>
    public static nn.Module<Tensor, Tensor> CreateModel(RunCell cell, double dropout) => cell.Model switch
    {
        "width-cnn" => new WidthCnn(cell.Width, Classes),
        "width-cnn-no-bn" => new WidthCnn(cell.Width, Classes, batchNorm: false),
        "resnet18" => new CifarResNet([2, 2, 2, 2], Classes, 3, cell.Width),
        "inception-small" => new InceptionSmall(Classes, 3, batchNorm: true, dropout),
        "inception-small-no-bn" => new InceptionSmall(Classes, 3, batchNorm: false, dropout),
        "alexnet-small" => new AlexNetSmall(Classes, 3, CropSize, dropout),
        "mlp-1x512" => new Mlp(3 * CropSize * CropSize, [512], Classes, dropout),
        "mlp-3x512" => new Mlp(3 * CropSize * CropSize, [512, 512, 512], Classes, dropout),
        _ => throw new DeepscopeException($"the generalization study has no model '{cell.Model}'; use inception-small, inception-small-no-bn, alexnet-small, mlp-1x512 or mlp-3x512"),
    };

    /// <summary>Checks the options' names before any training.</summary>
    public void Validate()
    {
        foreach (var cell in Cells())
        {
            if (cell.Group != RunGroup.Sweep) CreateModel(cell, 0).Dispose();
            Regularizer.Parse(cell.Regularizer);
        }
        Datasets.Get(options.Dataset);
    }

    /// <summary>
    /// Trains one run on the (randomised) training images, evaluating on the test images (true labels; shuffled pixels
    /// permute them as the training images) after every epoch, until
    /// an epoch's training accuracy reaches the fit threshold (unless a sweep trains its whole budget) or the epoch budget ends. Checkpoints, history and
    /// TensorBoard events go to <paramref name="folder"/>; a killed run resumes from its last epoch.
    /// </summary>
    public RunSummary Train(RunCell cell, LabeledImages train, LabeledImages test, long seed, string folder, IProgressReporter progress)
    {
        var reg = Regularizer.Parse(cell.Regularizer);
        bool sweep = cell.Group == RunGroup.Sweep;
        var training = new TrainingOptions
        {
            Epochs = EpochsOf(cell),
            BatchSize = options.BatchSize,
            EvalBatchSize = 500,
            Optimizer = new OptimizerOptions { LearningRate = LearningRateOf(cell), Momentum = options.Momentum, WeightDecay = reg.WeightDecay ? options.WeightDecay : 0 },
            Schedule = Schedule(train.Count),
            Augmentation = reg.Crop ? new Augmentation(CropPadding: options.CropShift) : Augmentation.None,
            Seed = seed,
        };
        random.manual_seed(seed);
        using var model = CreateModel(cell, reg.Dropout ? options.Dropout : 0);
        long parameters = model.parameters().Sum(p => p.numel());
        var randomization = Data.Sources.Randomization.Parse(cell.Randomization);
        var source = new RandomizedSource(TensorSource.Labeled(train), randomization, unchecked((ulong)seed));
        Directory.CreateDirectory(folder);
        var result = new Trainer(training)
        {
            OutputDirectory = folder,
            Resume = true,
            Progress = progress,
            StopWhen = TrainsWholeBudget(cell) ? null : r => r.TrainAccuracy >= options.FitThreshold,
        }.Fit(ModelSet.Classifier(TrainingTarget.Whole(model), training), source,
            new RandomizedSource(TensorSource.Labeled(test), randomization.ForTest, unchecked((ulong)seed)), InputTransform.CentreCropPerImage(CropSize));
        long stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var epochs = result.History.Select(r => new EpochPoint(r.Epoch, r.Epoch * stepsPerEpoch, r.TrainLoss, r.TrainAccuracy ?? double.NaN,
            r.EvalLoss ?? double.NaN, r.EvalAccuracy ?? double.NaN, r.ImagesPerSecond)).ToList();
        long? fit = epochs.FirstOrDefault(e => e.TrainAccuracy >= options.FitThreshold)?.Step;
        return new RunSummary(cell, parameters, train.Count, stepsPerEpoch, epochs, fit, result.TrainingSeconds);
    }
}
