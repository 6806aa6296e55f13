using Deepscope.IO;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>
/// What to train: the model, its trainable parameter groups (each with a learning-rate multiplier) and the
/// sub-modules that stay frozen in evaluation mode (so their batch-norm statistics do not drift).
/// </summary>
public sealed record TrainingTarget(nn.Module<Tensor, Tensor> Model, IReadOnlyList<ParameterGroup> Groups, IReadOnlyList<nn.Module> Frozen)
{
    /// <summary>Every parameter of the model, one group, nothing frozen.</summary>
    public static TrainingTarget Whole(nn.Module<Tensor, Tensor> model) =>
        new(model, [new ParameterGroup("all", model.parameters().ToList())], []);
}

/// <summary>The outcome of <see cref="Trainer.Fit"/>.</summary>
public sealed record TrainingResult(IReadOnlyList<EpochRecord> History, bool StoppedEarly, int BestEpoch, double? BestMetric,
    double TrainingSeconds, int ResumedAfterEpoch);

/// <summary>
/// Trains a classifier epoch by epoch: seeded shuffling, batched augmentation, a scheduled learning rate, a replaceable
/// step, evaluation after each epoch and early stopping. With an <see cref="OutputDirectory"/> it checkpoints after
/// every epoch and logs history (CSV/JSON), TensorBoard scalars and a PNG of the curves; <see cref="Resume"/> continues
/// from the last checkpoint and reaches the same weights as an uninterrupted run (same options, seed and thread count).
/// </summary>
public sealed class Trainer(TrainingOptions options)
{
    public const string CheckpointFile = "checkpoint.bin";
    public const string BestWeightsFile = "best.bin";

    public TrainingOptions Options { get; } = options;
    public ITrainingStep Step { get; init; } = SupervisedStep.Instance;
    public LossFunction Loss { get; init; } = Losses.CrossEntropy;
    public IProgressReporter Progress { get; init; } = NoProgress.Instance;
    public string? OutputDirectory { get; init; }
    public bool Resume { get; init; }
    /// <summary>Called after each epoch (after the checkpoint is written).</summary>
    public Action<EpochRecord>? EpochCompleted { get; init; }

    public TrainingResult Fit(TrainingTarget target, Examples train, Examples? eval = null, InputTransform? transform = null)
    {
        Options.Validate();
        train.Validate("training");
        eval?.Validate("evaluation");
        if (Options.EarlyStopping is not null && eval is null) throw new DeepscopeException("early stopping needs an evaluation set");
        if (!Options.Augmentation.IsNone && (transform is null || train.Inputs.dim() != 4))
            throw new DeepscopeException("augmentation needs image inputs (N, C, H, W) and an input transform");
        if (Resume && OutputDirectory is null) throw new DeepscopeException("resuming needs an output directory holding the checkpoint");
        if (target.Groups.Sum(g => g.Parameters.Count) == 0) throw new DeepscopeException("nothing to train: no trainable parameters");

        NativeHeap.ReuseFreedMemory();
        var model = target.Model;
        var optionsJson = JsonSerializer.Serialize(Options, JsonFormat.Options);
        using var optimizer = Options.Optimizer.Create(target.Groups);
        using var shuffle = new Generator(DerivedSeed(1));
        using var augmentation = new Generator(DerivedSeed(2));
        using var stepRandom = new Generator(DerivedSeed(3));
        Generator[] generators = [shuffle, augmentation, stepRandom];

        var state = new TrainingState { OptionsJson = optionsJson };
        var checkpointPath = OutputDirectory is null ? null : Path.Combine(OutputDirectory, CheckpointFile);
        if (Resume && File.Exists(checkpointPath))
        {
            state = Checkpoint.Read(checkpointPath, model, optimizer, generators);
            if (state.OptionsJson != optionsJson)
                throw new DeepscopeException($"{checkpointPath}: the run was started with other training options; resume with the same options or use a new output directory");
        }
        else
            random.manual_seed(Options.Seed);
        int resumedAfter = state.EpochsDone;

        long stepsPerEpoch = Options.DropLast ? train.Count / Options.BatchSize : (train.Count + Options.BatchSize - 1) / Options.BatchSize;
        if (stepsPerEpoch == 0) throw new DeepscopeException($"batch size {Options.BatchSize} exceeds the {train.Count} training examples with drop-last");
        long totalSteps = stepsPerEpoch * Options.Epochs;
        var baseRates = target.Groups.Select(g => Options.Optimizer.LearningRate * g.LearningRateFactor).ToArray();
        var context = new StepContext(model, optimizer, Loss, stepRandom, Options.GradientClipNorm, Options.Precision);
        var log = OutputDirectory is null ? null : new TrainingLog(OutputDirectory);

        for (int epoch = state.EpochsDone + 1; epoch <= Options.Epochs && !state.StoppedEarly; epoch++)
        {
            var clock = Stopwatch.StartNew();
            model.train();
            foreach (var frozen in target.Frozen) frozen.eval();
            double lossSum = 0, learningRate = 0;
            long correct = 0, seen = 0;
            using (var task = Progress.Start($"epoch {epoch}/{Options.Epochs}", Math.Min(stepsPerEpoch * Options.BatchSize, train.Count), "img"))
            using (var order = randperm(train.Count, generator: shuffle))
            {
                for (long b = 0; b < stepsPerEpoch; b++)
                {
                    using var scope = NewDisposeScope();
                    long n = Math.Min(Options.BatchSize, train.Count - b * Options.BatchSize);
                    var index = order.narrow(0, b * Options.BatchSize, n);
                    context.Inputs = Prepare(train.Inputs.index_select(0, index), transform, augmentation);
                    context.Labels = train.Labels.index_select(0, index);
                    context.Step = state.GlobalStep;
                    context.Epoch = epoch;
                    double factor = Options.Schedule.Factor(state.GlobalStep, totalSteps, stepsPerEpoch);
                    int g = 0;
                    foreach (var group in optimizer.ParamGroups) group.LearningRate = baseRates[g++] * factor;
                    learningRate = baseRates[0] * factor;

                    var outcome = Step.Run(context);
                    state = state with { GlobalStep = state.GlobalStep + 1 };
                    lossSum += outcome.Loss * outcome.Count;
                    correct += outcome.Correct;
                    seen += outcome.Count;
                    task.Advance(n);
                    if (b % 10 == 9 || b == stepsPerEpoch - 1)
                        task.Describe(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{Options.Epochs} loss {lossSum / seen:F4} acc {100.0 * correct / seen:F2}%"));
                }
            }
            double trainSeconds = clock.Elapsed.TotalSeconds;

            double? evalLoss = null, evalAccuracy = null;
            if (eval is not null)
            {
                var (predictions, meanLoss) = Evaluation.Predict(model, eval, transform, Options.EvalBatchSize, Loss);
                using (predictions)
                using (var matches = predictions.eq(eval.Labels))
                using (var hits = matches.sum())
                    evalAccuracy = hits.item<long>() / (double)eval.Count;
                evalLoss = meanLoss;
            }
            var record = new EpochRecord(epoch, lossSum / seen, correct / (double)seen, evalLoss, evalAccuracy, learningRate,
                clock.Elapsed.TotalSeconds, seen / trainSeconds);
            state = Advance(state, record, model);
            if (checkpointPath is not null) Checkpoint.Write(checkpointPath, state, model, optimizer, generators);
            log?.Write(state.History);
            EpochCompleted?.Invoke(record);
        }
        return new TrainingResult(state.History, state.StoppedEarly, state.BestEpoch, state.BestMetric, state.TrainingSeconds, resumedAfter);
    }

    /// <summary>Distinct, seed-determined generator seeds for shuffling, augmentation and step sampling.</summary>
    ulong DerivedSeed(ulong stream) => unchecked((ulong)Options.Seed * 0x9E3779B97F4A7C15UL + stream * 0xBF58476D1CE4E5B9UL);

    /// <summary>The model's input batch; image batches channels-last (weights stay NCHW, so checkpoints need no conversion).</summary>
    Tensor Prepare(Tensor raw, InputTransform? transform, Generator augmentation)
    {
        if (transform is null) return MemoryFormat.ChannelsLast(raw.to_type(ScalarType.Float32));
        var unit = transform.ToUnitFloat(raw);
        if (!Options.Augmentation.IsNone) unit = Options.Augmentation.Apply(unit, augmentation);
        return MemoryFormat.ChannelsLast(transform.Normalize(unit));
    }

    /// <summary>Adds an epoch to the state, tracking the best evaluation metric (saving its weights) and early stopping.</summary>
    TrainingState Advance(TrainingState state, EpochRecord record, nn.Module model)
    {
        state = state with
        {
            EpochsDone = record.Epoch,
            History = [.. state.History, record],
            TrainingSeconds = state.TrainingSeconds + record.Seconds,
        };
        if (record.EvalAccuracy is null) return state;
        var metric = Options.EarlyStopping?.Metric ?? EarlyStoppingMetric.Accuracy;
        double value = metric == EarlyStoppingMetric.Accuracy ? record.EvalAccuracy.Value : -record.EvalLoss!.Value;
        double minDelta = Options.EarlyStopping?.MinDelta ?? 0;
        if (state.BestMetric is null || value > state.BestMetric + minDelta)
        {
            if (OutputDirectory is not null) IO.AtomicFile.Write(Path.Combine(OutputDirectory, BestWeightsFile), s => model.save(s));
            return state with { BestMetric = value, BestEpoch = record.Epoch, EpochsSinceBest = 0 };
        }
        int since = state.EpochsSinceBest + 1;
        return state with { EpochsSinceBest = since, StoppedEarly = Options.EarlyStopping is { } stop && since >= stop.Patience };
    }
}
