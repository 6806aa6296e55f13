using System.Text.Json;
using Deepscope.Data.Sources;
using Deepscope.IO;
using Deepscope.Training;
using Deepscope.Training.Metrics;
using static TorchSharp.torch;

namespace Deepscope.Segmentation;

/// <summary>
/// What a trained segmenter needs to predict: its encoder, K for a DCF encoder, the classes, and its validation
/// figures. Saved as <c>segmenter.json</c> beside the weights (<c>model.bin</c>) in the run folder.
/// </summary>
public sealed record SegmenterRecord(string Encoder, int DcfK, IReadOnlyList<string> Classes, double ValidationIou, int BestEpoch, double TrainingSeconds)
{
    public const string FileName = "segmenter.json";

    public void Write(string folder) => AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, JsonFormat.Options));

    public static SegmenterRecord Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new DeepscopeException($"{folder} is not a segmentation run (no {FileName}; train one with 'deepscope segment train')");
        return JsonFormat.Read<SegmenterRecord>(path);
    }

    /// <summary>A fresh (untrained) segmenter of this record's architecture.</summary>
    public EncoderDecoder Create() => Build(Encoder, DcfK, Classes.Count);

    /// <summary>The trained segmenter of a run folder, readied for inference (evaluation mode, batch norms folded: <see cref="Models.Inference.InferencePreparation"/>).</summary>
    public static (SegmenterRecord Record, EncoderDecoder Model) Load(string folder)
    {
        var record = Read(folder);
        var weights = Path.Combine(folder, RunRecord.ModelFile);
        if (!File.Exists(weights)) throw new DeepscopeException($"{weights} not found: the run has not finished training");
        EncoderDecoder model;
        using (Models.Initialization.SkippedForLoadedWeights()) model = record.Create();
        try { model.load(weights, strict: true); }
        catch (Exception e) when (e is not DeepscopeException) { model.Dispose(); throw new InvalidDataFileException(weights, $"cannot load {record.Encoder} weights: {e.Message}", e); }
        Models.Inference.InferencePreparation.Prepare(model);
        return (record, model);
    }

    public static EncoderDecoder Build(string encoder, int dcfK, int classes) =>
        new(SegmentationEncoders.Catalog.Create(encoder, new Dictionary<string, string> { ["dcf_k"] = dcfK.ToString(System.Globalization.CultureInfo.InvariantCulture) }), classes);
}

/// <summary>
/// Trains an <see cref="EncoderDecoder"/> on patches of huge images (<see cref="DefectPatchSource"/>: defects
/// over-sampled, patches streamed from disk), AdamW with a cosine schedule, the chosen loss, validation mean IoU on a
/// fixed draw of validation patches after each epoch, the best epoch's weights kept. Checkpoints every epoch; an
/// unfinished run folder resumes.
/// </summary>
public static class SegmenterTraining
{
    const int FrequencySample = 64;

    public static SegmenterRecord Train(SegmenterOptions options, string folder, long seed, IProgressReporter progress, Action<EpochRecord>? epochCompleted = null)
    {
        if (options.Data.Length == 0) throw new DeepscopeException("training data is required: a folder with images/ and masks/");
        var train = Patches(options.Data, options, options.PatchesPerEpoch, options.DefectFraction, seed);
        var validation = options.Validation is { } v ? Patches(v, options, options.ValidationPatches, options.DefectFraction, seed + 1) : null;
        manual_seed(seed);
        using var model = SegmenterRecord.Build(options.Encoder, options.DcfK, options.Classes.Length);
        if (options.Weights is { } weights) model.Encoder.LoadImageNet(weights);
        var loss = Loss(options, ClassWeights(train, options.Classes.Length));
        var training = new TrainingOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            EvalBatchSize = options.BatchSize,
            Optimizer = new OptimizerOptions { Kind = OptimizerKind.AdamW, LearningRate = options.LearningRate, WeightDecay = 1e-4 },
            Schedule = new LearningRateSchedule { Kind = ScheduleKind.Cosine },
            Seed = seed,
            DropLast = true,
        };
        var trainer = new Trainer(training)
        {
            Step = new SupervisedStep(loss, Fields.Mask),
            Loss = loss,
            Metrics = validation is null ? [] : [new LossMetric(loss, Fields.Mask), new IouMetric(options.Classes.Length)],
            Monitor = validation is null ? null : "iou",
            OutputDirectory = folder,
            Resume = File.Exists(Path.Combine(folder, Trainer.CheckpointFile)),
            Progress = progress,
            EpochCompleted = epochCompleted,
        };
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        var models = new ModelSet(new TrainedModel(ModelNames.Model, model, [new ParameterGroup("all", parameters)], [], training.Optimizer, training.Schedule));
        var result = trainer.Fit(models, train, validation);
        var best = Path.Combine(folder, Trainer.BestWeightsFile);
        if (validation is not null && File.Exists(best)) model.load(best);
        RunRecord.SaveModel(folder, model);
        var record = new SegmenterRecord(options.Encoder, options.DcfK, options.Classes, result.BestMetric ?? double.NaN, result.BestEpoch, result.TrainingSeconds);
        record.Write(folder);
        return record;
    }

    static DefectPatchSource Patches(string folder, SegmenterOptions options, int count, double defectFraction, long seed) =>
        new(Path.Combine(folder, "images"), Path.Combine(folder, "masks"), options.PatchSize, count, defectFraction, seed, options.Classes);

    static LossFunction Loss(SegmenterOptions options, float[] weights) => options.Loss switch
    {
        SegmentationLoss.Ce => Losses.CrossEntropy,
        SegmentationLoss.WeightedCe => Losses.WeightedCrossEntropy(weights),
        SegmentationLoss.Dice => Losses.Dice(),
        SegmentationLoss.Focal => Losses.Focal(options.FocalGamma, weights),
        SegmentationLoss.WeightedCeDice => Losses.Sum(Losses.WeightedCrossEntropy(weights), Losses.Dice()),
        _ => throw new DeepscopeException($"unknown loss {options.Loss}"),
    };

    /// <summary>
    /// Class weights sqrt(f_0 / f_c) from the class frequencies f of the first epoch's first patches (so they follow the
    /// sampler's over-sampling), capped at 50; a class absent from the sample weighs 1.
    /// </summary>
    public static float[] ClassWeights(IDataSource patches, int classes)
    {
        using var batch = patches.Read(Enumerable.Range(0, (int)Math.Min(FrequencySample, patches.Count)).Select(i => (long)i).ToArray(), 1);
        var counts = batch[Fields.Mask].flatten().bincount(null, classes).data<long>().ToArray();
        return [.. counts.Select(n => n == 0 || counts[0] == 0 ? 1f : (float)Math.Min(50, Math.Sqrt(counts[0] / (double)n)))];
    }
}
