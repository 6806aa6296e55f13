using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Deepscope.Data.Sources;
using Deepscope.IO;
using Deepscope.Models;
using Deepscope.Runtime;
using Deepscope.Training.Metrics;
using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>One call of <see cref="Trainer.Fit(ModelSet, IDataSource, IDataSource?, InputTransform?)"/>: its optimizers, generators, loaders and loop.</summary>
sealed class TrainingRun : IDisposable
{
    readonly Trainer _trainer;
    readonly TrainingOptions _options;
    readonly ModelSet _models;
    readonly InputTransform? _transform;
    readonly List<optim.Optimizer> _optimizers;
    readonly Generator _shuffle, _augmentation, _stepRandom;
    readonly BatchLoader _loader;
    readonly BatchLoader? _evalLoader;
    readonly IReadOnlyList<IMetric> _metrics;
    readonly IMetric? _monitored;
    readonly StepContext _context;
    readonly double[][] _baseRates;
    readonly long _totalSteps;
    readonly string? _checkpointPath;
    readonly TrainingLog? _log;

    public TrainingRun(Trainer trainer, ModelSet models, IDataSource train, IDataSource? eval, InputTransform? transform)
    {
        (_trainer, _options, _models, _transform) = (trainer, trainer.Options, models, transform);
        _optimizers = [.. models.Models.Select(m => m.Optimizer.Create(m.Groups))];
        _shuffle = new Generator(DerivedSeed(1));
        _augmentation = new Generator(DerivedSeed(2));
        _stepRandom = new Generator(DerivedSeed(3));
        _loader = new BatchLoader(train, _options.BatchSize, _options.DropLast);
        if (_loader.BatchesPerEpoch == 0) throw new DeepscopeException($"batch size {_options.BatchSize} exceeds the {train.Count} training examples with drop-last");
        _totalSteps = _loader.BatchesPerEpoch * _options.Epochs;
        _evalLoader = eval is null ? null : new BatchLoader(eval, _options.EvalBatchSize);
        _metrics = eval is null ? [] : trainer.Metrics ?? [new LossMetric(trainer.Loss), new AccuracyMetric()];
        _monitored = trainer.Monitored(_metrics);
        _baseRates = [.. models.Models.Select(m => m.Groups.Select(g => m.Optimizer.LearningRate * g.LearningRateFactor).ToArray())];
        _context = new StepContext(models, _optimizers, trainer.Loss, _stepRandom, _options.GradientClipNorm, _options.Precision);
        _context.TotalSteps = _totalSteps;
        _checkpointPath = trainer.OutputDirectory is null ? null : Path.Combine(trainer.OutputDirectory, Trainer.CheckpointFile);
        _log = trainer.OutputDirectory is null ? null : new TrainingLog(trainer.OutputDirectory);
    }

    public void Dispose()
    {
        foreach (var o in _optimizers) o.Dispose();
        _shuffle.Dispose();
        _augmentation.Dispose();
        _stepRandom.Dispose();
    }

    /// <summary>Distinct, seed-determined generator seeds for shuffling, augmentation and step sampling.</summary>
    ulong DerivedSeed(ulong stream) => unchecked((ulong)_options.Seed * 0x9E3779B97F4A7C15UL + stream * 0xBF58476D1CE4E5B9UL);

    Generator[] Generators => [_shuffle, _augmentation, _stepRandom];

    public TrainingResult Execute()
    {
        NativeHeap.ReuseFreedMemory();
        foreach (var model in _models.Models) RoutedConv2d.RouteConvolutions(model.Module);
        var optionsJson = JsonSerializer.Serialize(new { _options, Models = _models.Models.Select(m => new { m.Name, m.Optimizer, m.Schedule }) }, JsonFormat.Options);
        var state = new TrainingState { OptionsJson = optionsJson };
        if (_trainer.Resume && File.Exists(_checkpointPath))
        {
            state = Checkpoint.Read(_checkpointPath, _models, _optimizers, Generators);
            if (state.OptionsJson != optionsJson)
                throw new DeepscopeException($"{_checkpointPath}: the run was started with other training options; resume with the same options or use a new output directory");
        }
        else
            random.manual_seed(_options.Seed);
        int resumedAfter = state.EpochsDone;

        for (int epoch = state.EpochsDone + 1; epoch <= _options.Epochs && !state.StoppedEarly; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var totals = state.InProgress ?? new EpochTotals { Epoch = epoch };
            double previousSeconds = totals.Seconds;
            double learningRate = TrainEpoch(ref state, totals, () => previousSeconds + clock.Elapsed.TotalSeconds);
            double trainSeconds = previousSeconds + clock.Elapsed.TotalSeconds;
            var metrics = totals.Means();
            if (_evalLoader is not null)
                foreach (var (name, value) in Evaluate(epoch)) metrics[EpochRecord.EvalPrefix + name] = value;
            var record = new EpochRecord(epoch, metrics, learningRate, previousSeconds + clock.Elapsed.TotalSeconds, totals.Seen / trainSeconds);
            state = Advance(state with { InProgress = null }, record);
            if (_trainer.StopWhen?.Invoke(record) == true) state = state with { StoppedEarly = true };
            if (_checkpointPath is not null) WriteCheckpoint(state, shuffleState: null);
            _log?.Write(state.History);
            _trainer.EpochCompleted?.Invoke(record);
        }
        return new TrainingResult(state.History, state.StoppedEarly, state.BestEpoch, state.BestMetric, state.TrainingSeconds, resumedAfter);
    }

    /// <summary>Trains one epoch (the rest of it after a mid-epoch resume); returns the learning rate of its last step.</summary>
    double TrainEpoch(ref TrainingState state, EpochTotals totals, Func<double> seconds)
    {
        foreach (var m in _models.Models) m.TrainMode();
        // The order of this epoch is drawn from the shuffle generator's state now: a mid-epoch checkpoint stores it.
        using var shuffleAtStart = _shuffle.get_state();
        long stepsPerEpoch = _loader.BatchesPerEpoch, skip = totals.Batches;
        double learningRate = 0;
        using var task = _trainer.Progress.Start($"epoch {totals.Epoch}/{_options.Epochs}", Math.Min(stepsPerEpoch * _options.BatchSize, _loader.Source.Count), "img");
        task.Advance(totals.Seen);
        long b = 0;
        foreach (var raw in _loader.Epoch(totals.Epoch, _shuffle))
        {
            using var _ = raw;
            if (b++ < skip) continue;  // trained before the checkpoint this run resumed from
            using var scope = NewDisposeScope();
            _context.Batch = Prepare(raw, augment: true);
            _context.Step = state.GlobalStep;
            _context.Epoch = totals.Epoch;
            learningRate = SetLearningRates(state.GlobalStep);
            var outcome = _trainer.Step.Run(_context);
            state = state with { GlobalStep = state.GlobalStep + 1 };
            totals.Add(outcome);
            task.Advance(raw.Count);
            if (totals.Batches % 10 == 0 || totals.Batches == stepsPerEpoch) task.Describe(Describe(totals));
            if (_checkpointPath is not null && _trainer.CheckpointEverySteps > 0 && state.GlobalStep % _trainer.CheckpointEverySteps == 0 && totals.Batches < stepsPerEpoch)
            {
                totals.Seconds = seconds();
                WriteCheckpoint(state with { InProgress = totals }, shuffleAtStart);
            }
        }
        return learningRate;
    }

    string Describe(EpochTotals totals) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {totals.Epoch}/{_options.Epochs} loss {totals.LossSum / totals.Seen:F4}{(totals.Correct is { } c ? $" acc {100.0 * c / totals.Seen:F2}%" : "")}");

    /// <summary>Sets every parameter group's scheduled rate for this step; returns the first model's first group's.</summary>
    double SetLearningRates(long step)
    {
        double first = 0;
        for (int i = 0; i < _models.Models.Count; i++)
        {
            double factor = _models.Models[i].Schedule.Factor(step, _totalSteps, _loader.BatchesPerEpoch);
            int g = 0;
            foreach (var group in _optimizers[i].ParamGroups) group.LearningRate = _baseRates[i][g++] * factor;
            if (i == 0) first = _baseRates[0][0] * factor;
        }
        return first;
    }

    /// <summary>The batch with its input made model-ready; the other fields as they are.</summary>
    Batch Prepare(Batch raw, bool augment)
    {
        var fields = raw.Names.ToDictionary(name => name, name => raw[name]);
        fields[Fields.Input] = PrepareInput(raw[Fields.Input], augment);
        return new Batch(fields);
    }

    /// <summary>
    /// Images through the transform (uint8 to normalised float, augmented in training); inputs without a transform keep
    /// their dtype (int64 token ids, float features). Float image batches go channels-last (weights stay NCHW, so
    /// checkpoints need no conversion).
    /// </summary>
    Tensor PrepareInput(Tensor raw, bool augment)
    {
        if (_transform is null) return raw.is_floating_point() ? MemoryFormat.ChannelsLast(raw) : raw;
        var unit = _transform.ToUnitFloat(raw);
        if (augment && !_options.Augmentation.IsNone) unit = _options.Augmentation.Apply(unit, _augmentation);
        return MemoryFormat.ChannelsLast(_transform.Normalize(unit));
    }

    /// <summary>Every metric over the evaluation set, the models in evaluation mode and without gradients.</summary>
    IEnumerable<(string Name, double Value)> Evaluate(int epoch)
    {
        foreach (var m in _models.Models) m.Module.eval();
        foreach (var metric in _metrics) metric.Reset();
        using (no_grad())
        using (var task = _trainer.Progress.Start("evaluate", _evalLoader!.Source.Count, "img"))
            foreach (var raw in _evalLoader.Epoch(epoch))
            {
                using var _ = raw;
                using var scope = NewDisposeScope();
                _context.Batch = Prepare(raw, augment: false);
                var output = _trainer.Step.Predict(_context);
                foreach (var metric in _metrics) metric.Update(output, _context.Batch);
                task.Advance(raw.Count);
            }
        foreach (var m in _models.Models) m.Module.train();
        return [.. _metrics.Select(m => (m.Name, m.Compute()))];
    }

    void WriteCheckpoint(TrainingState state, Tensor? shuffleState)
    {
        using var shuffle = shuffleState is null ? _shuffle.get_state() : null;
        using var augmentation = _augmentation.get_state();
        using var step = _stepRandom.get_state();
        Checkpoint.Write(_checkpointPath!, state, _models, _optimizers, [shuffleState ?? shuffle!, augmentation, step]);
    }

    /// <summary>Adds an epoch to the state, tracking the best monitored metric (saving its weights) and early stopping.</summary>
    TrainingState Advance(TrainingState state, EpochRecord record)
    {
        state = state with
        {
            EpochsDone = record.Epoch,
            History = [.. state.History, record],
            TrainingSeconds = state.TrainingSeconds + record.Seconds,
        };
        if (_monitored is null || record.Metric(EpochRecord.EvalPrefix + _monitored.Name) is not { } metric) return state;
        double value = _monitored.HigherIsBetter ? metric : -metric;
        double minDelta = _options.EarlyStopping?.MinDelta ?? 0;
        if (state.BestMetric is null || value > state.BestMetric + minDelta)
        {
            if (_trainer.OutputDirectory is { } directory)
                foreach (var (m, i) in _models.Models.Select((m, i) => (m, i)))
                    AtomicFile.Write(Path.Combine(directory, i == 0 ? Trainer.BestWeightsFile : $"best-{m.Name}.bin"), s => m.Module.save(s));
            return state with { BestMetric = value, BestEpoch = record.Epoch, EpochsSinceBest = 0 };
        }
        int since = state.EpochsSinceBest + 1;
        return state with { EpochsSinceBest = since, StoppedEarly = _options.EarlyStopping is { } stop && since >= stop.Patience };
    }
}
