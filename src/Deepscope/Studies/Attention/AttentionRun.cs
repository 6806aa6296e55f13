using System.Diagnostics;
using System.Text.Json;
using Deepscope.Data;
using Deepscope.Data.Sources;
using Deepscope.IO;
using Deepscope.Models.Attention;
using Deepscope.Training;
using Deepscope.Training.Steps;
using static TorchSharp.torch;

namespace Deepscope.Studies.Attention;

/// <summary>What a run folder was trained with: read back by evaluation and figures, and checked on resume.</summary>
public sealed record AttentionRunRecord(AttentionRunOptions Options, long Seed);

/// <summary>Test-set figures of a trained run: the policy's mean locations, and M sampled glimpse paths averaged.</summary>
public sealed record AttentionMetrics(double Accuracy, double Error, double? SampledAccuracy, int? MonteCarloSamples, long Count, double ImagesPerSecond);

/// <summary>
/// Trains, reloads and evaluates one model of the attention study in a run folder: <c>attention-run.json</c> (the
/// settings), the trainer's checkpoint, history and curves, and <c>best.bin</c> (the weights of the best validation
/// epoch). Training resumes from the checkpoint when the folder holds one with the same settings.
/// </summary>
public static class AttentionRun
{
    public const string RecordFile = "attention-run.json";
    public const string MetricsFile = "metrics.json";

    public static TrainingResult Train(AttentionRunOptions options, long seed, DatasetStore store, string runDirectory,
        IProgressReporter? progress = null, int checkpointEverySteps = 0, Action<EpochRecord>? epochCompleted = null)
    {
        Directory.CreateDirectory(runDirectory);
        var recordPath = Path.Combine(runDirectory, RecordFile);
        var record = JsonSerializer.Serialize(new AttentionRunRecord(options, seed), JsonFormat.Options);
        if (File.Exists(recordPath) && File.ReadAllText(recordPath) != record)
            throw new DeepscopeException($"{runDirectory}: holds a run with other settings ({RecordFile}); choose another output folder");
        AtomicFile.WriteAllText(recordPath, record);

        using var task = new DigitTask(options.Task, store, seed);
        random.manual_seed(seed);
        var model = CreateModel(options);
        var adam = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = options.LearningRate };
        var cosine = new LearningRateSchedule { Kind = ScheduleKind.Cosine, MinFactor = 0.01 };
        var trainer = new Trainer(new TrainingOptions
        {
            Epochs = options.Epochs, BatchSize = options.BatchSize, Seed = seed, GradientClipNorm = options.GradientClip,
        })
        {
            Step = options.IsAttention ? new ReinforceStep() : SupervisedStep.Instance,
            OutputDirectory = runDirectory, Resume = true, CheckpointEverySteps = checkpointEverySteps,
            Progress = progress ?? NoProgress.Instance, EpochCompleted = epochCompleted,
        };
        return trainer.Fit(new ModelSet(TrainedModel.Whole(ModelNames.Model, model, adam, cosine)), task.Train, task.Validation, Transform(options));
    }

    /// <summary>The run's settings and its model with the best validation epoch's weights, in evaluation mode.</summary>
    public static (AttentionRunRecord Record, nn.Module Model) Load(string runDirectory)
    {
        var recordPath = Path.Combine(runDirectory, RecordFile);
        if (!File.Exists(recordPath)) throw new DeepscopeException($"{runDirectory}: not an attention run (no {RecordFile}; train one with 'deepscope ram train')");
        AttentionRunRecord record;
        try
        {
            record = JsonSerializer.Deserialize<AttentionRunRecord>(File.ReadAllText(recordPath), JsonFormat.Options)
                ?? throw new JsonException("empty record");
        }
        catch (JsonException e)
        {
            throw new InvalidDataFileException(recordPath, $"unreadable run record: {e.Message}", e);
        }
        var weights = Path.Combine(runDirectory, Trainer.BestWeightsFile);
        if (!File.Exists(weights)) throw new DeepscopeException($"{weights} not found: the run has not finished an epoch yet");
        var model = CreateModel(record.Options);
        try
        {
            model.load(weights, strict: true);
        }
        catch (Exception e) when (e is not DeepscopeException)
        {
            throw new InvalidDataFileException(weights, $"cannot load the run's weights: {e.Message}", e);
        }
        Models.RoutedConv2d.RouteConvolutions(model); // as trained (the convolutional baseline)
        if (model is RecurrentAttentionModel ram) ram.SetTrainingProgress(1); // sampled evaluation with the policy's final sigma
        model.eval();
        return (record, model);
    }

    /// <summary>Accuracy on the test set (and, for RAM, with <see cref="AttentionRunOptions.MonteCarloSamples"/> sampled paths averaged).</summary>
    public static AttentionMetrics Evaluate(string runDirectory, DatasetStore store, int? monteCarloSamples = null)
    {
        var (record, model) = Load(runDirectory);
        using var task = new DigitTask(record.Options.Task, store, record.Seed);
        var transform = Transform(record.Options);
        var ram = model as RecurrentAttentionModel;
        int samples = monteCarloSamples ?? record.Options.MonteCarloSamples;
        bool sampled = ram is not null && record.Options.Model == AttentionModel.Ram;
        long correct = 0, correctSampled = 0, count = 0;
        var clock = new Stopwatch();
        using var generator = new Generator((ulong)record.Seed);
        using var _ = no_grad();
        foreach (var batch in new BatchLoader(task.Test, 500).Epoch(0))
            using (batch)
            using (var scope = NewDisposeScope())
            {
                var x = transform.Apply(batch[Fields.Input]);
                var labels = batch[Fields.Label];
                clock.Start();
                var logits = ram is not null ? ram.Forward(x, generator).Logits : ((nn.Module<Tensor, Tensor>)model).forward(x);
                clock.Stop();
                correct += logits.argmax(1).eq(labels).sum().item<long>();
                count += labels.shape[0];
                if (!sampled) continue;
                ram!.EvaluateWithMean = false;
                var probabilities = zeros_like(logits);
                for (int m = 0; m < samples; m++) probabilities.add_(ram.Forward(x, generator).Logits.softmax(1));
                ram.EvaluateWithMean = true;
                correctSampled += probabilities.argmax(1).eq(labels).sum().item<long>();
            }
        double accuracy = (double)correct / count;
        var metrics = new AttentionMetrics(accuracy, 1 - accuracy, sampled ? (double)correctSampled / count : null, sampled ? samples : null,
            count, count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
        return metrics;
    }

    internal static nn.Module CreateModel(AttentionRunOptions options)
    {
        long size = options.Task.ImageSize;
        return options.Model switch
        {
            AttentionModel.Ram or AttentionModel.RamRandom => new RecurrentAttentionModel(options.EffectiveRam),
            AttentionModel.Fc => AttentionBaselines.FullyConnected(1, size, options.FcHidden, 10),
            _ => AttentionBaselines.Convolutional(1, size, 10),
        };
    }

    /// <summary>uint8 digits to [0, 1] floats, as DeepMind's generator scales them.</summary>
    internal static InputTransform Transform(AttentionRunOptions options) => new([0f], [1f], 1, options.Task.ImageSize);
}
