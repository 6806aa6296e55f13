using System.Text.Json;
using Deepscope.Data.Sources;
using Deepscope.IO;
using Deepscope.Models;
using Deepscope.Training;
using Deepscope.Training.Metrics;
using static TorchSharp.torch;

namespace Deepscope.Studies.Inspection;

/// <summary>
/// What a trained inspection classifier needs to score new images: the architecture, the classes and which is
/// positive, the input transform, and whether to average flipped copies (test-time augmentation). Saved as
/// <c>inspection.json</c> beside the weights (<c>model.bin</c>) in the run folder.
/// </summary>
public sealed record InspectionModel(string Model, IReadOnlyList<string> Classes, int PositiveIndex, InputTransform Input, bool Tta,
    double ValidationAuc, int BestEpoch, double TrainingSeconds, long TrainCount, long ValidationCount)
{
    public const string FileName = "inspection.json";

    public void Write(string folder) => AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, JsonFormat.Options));

    public static InspectionModel Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new DeepscopeException($"{folder} is not an inspection run (no {FileName}; train one with 'deepscope inspect train')");
        return JsonFormat.Read<InspectionModel>(path);
    }
}

/// <summary>
/// Trains the inspection classifier: a model-zoo CNN (pretrained body with a new two-class head when weights are given,
/// else from scratch) on a lazily read image folder, AdamW with a cosine schedule, the class imbalance handled by loss
/// weights or balanced sampling, validation ROC AUC after each epoch and the best epoch's weights kept.
/// </summary>
public static class InspectionTraining
{
    /// <summary>Images read to estimate the normalisation of a model trained from scratch.</summary>
    const int StatisticsSample = 256;

    public static InspectionModel Train(InspectionOptions options, InspectionData data, long[] trainRows, long[] validationRows, string folder,
        long seed, IProgressReporter progress, Action<EpochRecord>? epochCompleted = null)
    {
        var spec = ModelZoo.Get(options.Model);
        var images = new ImageFolderSource(data.Source, resize: options.ImageSize);
        var train = new SubsetSource(images, trainRows);
        var validation = new SubsetSource(images, validationRows);
        var trainLabels = trainRows.Select(r => data.Labels[r]).ToArray();

        var fineTune = FineTuneFor(spec, options.Weights);
        Examples sample;
        using (var batch = train.Read(Enumerable.Range(0, Math.Min(StatisticsSample, trainRows.Length)).Select(i => (long)i).ToArray(), 0))
            sample = new Examples(batch[Fields.Input].alias().DetachFromDisposeScope(), batch[Fields.Label].alias().DetachFromDisposeScope(), data.Classes);
        ClassifierSetup setup;
        using (sample.Inputs)
        using (sample.Labels)
            setup = ClassifierSetup.Build(spec, sample, options.ImageSize, seed, fineTune, options.Weights);
        using var model = setup.Model;

        var training = new TrainingOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            EvalBatchSize = 64,
            Optimizer = ClassifierTraining.Optimizer(OptimizerKind.AdamW) with { LearningRate = options.LearningRate },
            Schedule = new LearningRateSchedule { Kind = ScheduleKind.Cosine, WarmupEpochs = Math.Min(1, options.Epochs / 4.0) },
            Augmentation = Augmentation.Parse(options.Augment),
            Seed = seed,
            DropLast = true,
        };
        var loss = options.Imbalance == ImbalanceHandling.Weights ? WeightedCrossEntropy(trainLabels, data.PositiveIndex) : Losses.CrossEntropy;
        IDataSource fitSource = options.Imbalance == ImbalanceHandling.Sampling ? new BalancedSource(train, trainLabels, seed) : train;
        var trainer = new Trainer(training)
        {
            Loss = loss,
            Metrics = [new LossMetric(loss), new RocAucMetric(data.PositiveIndex)],
            Monitor = "roc_auc",
            OutputDirectory = folder,
            Resume = File.Exists(Path.Combine(folder, Trainer.CheckpointFile)),
            Progress = progress,
            EpochCompleted = epochCompleted,
        };
        var result = trainer.Fit(ModelSet.Classifier(setup.Target, training), fitSource, validation, setup.Transform);
        model.load(Path.Combine(folder, Trainer.BestWeightsFile));
        RunRecord.SaveModel(folder, model);
        var record = new InspectionModel(spec.Name, data.Classes, data.PositiveIndex, setup.Transform, options.Tta, result.BestMetric ?? double.NaN,
            result.BestEpoch, result.TrainingSeconds, trainRows.Length, validationRows.Length);
        record.Write(folder);
        return record;
    }

    /// <summary>
    /// How the network starts: fine-tuned (the body at a tenth of the head's rate) from a weights file, or from the ImageNet
    /// weights a model ships with (resnet18-cntk); from scratch otherwise.
    /// </summary>
    internal static FineTuneOptions? FineTuneFor(ModelSpec spec, string? weights) =>
        weights is null && spec.Bundled is null ? null : new FineTuneOptions(FineTuneMode.Full, BodyLearningRateFactor: 0.1);

    /// <summary>Cross-entropy with class weights N / (2 N_c), so both classes weigh the same in the loss (scikit-learn's "balanced").</summary>
    static LossFunction WeightedCrossEntropy(int[] binaryLabels, int positiveIndex)
    {
        double positives = binaryLabels.Count(l => l == 1), negatives = binaryLabels.Length - positives;
        if (positives == 0 || negatives == 0) throw new DeepscopeException("the training split holds only one class");
        var weights = new float[2];
        weights[positiveIndex] = (float)(binaryLabels.Length / (2 * positives));
        weights[1 - positiveIndex] = (float)(binaryLabels.Length / (2 * negatives));
        var weight = tensor(weights);
        return (output, labels) => nn.functional.cross_entropy(output, labels, weight);
    }
}
