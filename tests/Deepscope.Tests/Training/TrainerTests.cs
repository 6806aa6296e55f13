using Deepscope.Models;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Tests.Training;

public class TrainerTests : IClassFixture<SingleThreaded>
{
    static readonly Examples Train = TinyData.Make(208, seed: 1);
    static readonly Examples Test = TinyData.Make(128, seed: 2);

    static TrainingOptions Options(int epochs = 3) => new()
    {
        Epochs = epochs,
        BatchSize = 16,
        Optimizer = new OptimizerOptions { LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 5e-4 },
        Schedule = new LearningRateSchedule { Kind = ScheduleKind.Cosine, WarmupEpochs = 0.5 },
        GradientClipNorm = 5,
        Augmentation = new Augmentation(CropPadding: 1, HorizontalFlip: true),
        Seed = 5,
    };

    static LeNet NewLeNet(long seed)
    {
        random.manual_seed(seed);
        return ModelZoo.lenet(numClasses: 4, imageSize: 8);
    }

    [Fact]
    public void LearnsASeparableProblemAndLogsEveryEpoch()
    {
        using var dir = new Support.TempDir();
        using var model = ModelZoo.mlp(64, [32], 4);
        var result = new Trainer(Options() with { Augmentation = Augmentation.None }) { OutputDirectory = dir.Path }
            .Fit(TrainingTarget.Whole(model), Train, Test, TinyData.Transform(Train));
        Assert.Equal(3, result.History.Count);
        Assert.True(result.History[^1].EvalAccuracy > 0.95, $"eval accuracy {result.History[^1].EvalAccuracy}");
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss);
        var csv = File.ReadAllLines(dir.File(TrainingLog.HistoryCsv));
        Assert.Equal(4, csv.Length);
        Assert.StartsWith("epoch,train_loss,train_accuracy,eval_loss,eval_accuracy,learning_rate", csv[0]);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(dir.File(TrainingLog.CurvesPng))[..4]);
        var events = Directory.GetFiles(dir.File(TrainingLog.TensorBoardDirectory), "events.out.tfevents.*");
        Assert.Single(events);
        Assert.True(new FileInfo(events[0]).Length > 200, "TensorBoard events should hold the scalars");
        Assert.True(File.Exists(dir.File(Trainer.CheckpointFile)) && File.Exists(dir.File(Trainer.BestWeightsFile)));
    }

    sealed class SimulatedCrash : Exception;

    /// <summary>The supervised step, except that it dies at one global step, as a killed process would.</summary>
    sealed class CrashingStep(long crashAt) : ITrainingStep
    {
        public StepOutcome Run(StepContext context) => context.Step == crashAt ? throw new SimulatedCrash() : SupervisedStep.Instance.Run(context);
    }

    /// <summary>The uninterrupted reference run, shared by the crash cases.</summary>
    static readonly Lazy<(LeNet Model, TrainingResult Result)> Straight = new(() =>
    {
        var model = NewLeNet(7);
        var result = new Trainer(Options()).Fit(TrainingTarget.Whole(model), Train, Test, TinyData.Transform(Train));
        return (model, result);
    });

    [Theory]
    [InlineData(5)]   // in epoch 1, before any checkpoint
    [InlineData(20)]  // mid epoch 2
    [InlineData(38)]  // last step of epoch 3
    public void ResumingACrashedRunEndsWithTheSameWeightsAsAnUninterruptedOne(long crashAt)
    {
        using var crashedDir = new Support.TempDir();
        var transform = TinyData.Transform(Train);
        var (straight, expected) = Straight.Value;

        using (var doomed = NewLeNet(7))
            Assert.Throws<SimulatedCrash>(() => new Trainer(Options()) { OutputDirectory = crashedDir.Path, Step = new CrashingStep(crashAt) }
                .Fit(TrainingTarget.Whole(doomed), Train, Test, transform));

        // A new process: the model is initialised again (as the CLI does) and the checkpoint, if any, overrides it.
        using var resumed = NewLeNet(7);
        var result = new Trainer(Options()) { OutputDirectory = crashedDir.Path, Resume = true }.Fit(TrainingTarget.Whole(resumed), Train, Test, transform);
        Assert.Equal((int)(crashAt / 13), result.ResumedAfterEpoch);
        TinyData.AssertSameWeights(straight, resumed);
        Assert.Equal(expected.History.Select(h => h.EvalAccuracy), result.History.Select(h => h.EvalAccuracy));
        Assert.Equal(expected.History.Select(h => h.TrainLoss), result.History.Select(h => h.TrainLoss));
    }

    [Fact]
    public void Bf16_mixed_precision_learns_with_float32_weights_and_gradients()
    {
        var options = Options(6);
        double float32Accuracy;
        using (var reference = NewLeNet(7))
            float32Accuracy = new Trainer(options).Fit(TrainingTarget.Whole(reference), Train, Test, TinyData.Transform(Train)).History[^1].EvalAccuracy!.Value;
        using var model = NewLeNet(7);
        var seen = new List<ScalarType>();
        var step = new InspectingStep(seen);
        var result = new Trainer(options with { Precision = TrainingPrecision.Bf16 }) { Step = step }
            .Fit(TrainingTarget.Whole(model), Train, Test, TinyData.Transform(Train));
        // The forward pass ran in bf16 while the step's autocast region was open, and only then.
        Assert.Equal(ScalarType.BFloat16, seen[0]);
        Assert.False(Deepscope.Runtime.Autocast.IsCpuEnabled);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss);
        Assert.True(result.History[^1].EvalAccuracy >= float32Accuracy - 0.05, $"eval accuracy {result.History[^1].EvalAccuracy} (bf16) vs {float32Accuracy} (float32)");
    }

    /// <summary>The supervised step, recording the dtype of the logits under the step's precision.</summary>
    sealed class InspectingStep(List<ScalarType> seen) : ITrainingStep
    {
        public StepOutcome Run(StepContext context)
        {
            using (context.MixedPrecision())
            using (var logits = context.Model.forward(context.Inputs))
                seen.Add(logits.dtype);
            var outcome = SupervisedStep.Instance.Run(context);
            Assert.All(context.Model.parameters(), p => Assert.Equal(ScalarType.Float32, p.grad!.dtype));
            return outcome;
        }
    }

    [Fact]
    public void ResumeWithOtherOptionsOrACorruptCheckpointFailsClearly()
    {
        using var dir = new Support.TempDir();
        var transform = TinyData.Transform(Train);
        using (var model = NewLeNet(1))
            new Trainer(Options(1)) { OutputDirectory = dir.Path }.Fit(TrainingTarget.Whole(model), Train, Test, transform);
        using (var model = NewLeNet(1))
        {
            var e = Assert.Throws<DeepscopeException>(() => new Trainer(Options(1) with { BatchSize = 32 }) { OutputDirectory = dir.Path, Resume = true }
                .Fit(TrainingTarget.Whole(model), Train, Test, transform));
            Assert.Contains("other training options", e.Message);
        }
        var checkpoint = dir.File(Trainer.CheckpointFile);
        File.WriteAllBytes(checkpoint, File.ReadAllBytes(checkpoint)[..5000]);
        using (var model = NewLeNet(1))
        {
            var e = Assert.Throws<InvalidDataFileException>(() => new Trainer(Options(1)) { OutputDirectory = dir.Path, Resume = true }
                .Fit(TrainingTarget.Whole(model), Train, Test, transform));
            Assert.Equal(checkpoint, e.FilePath);
        }
    }

    [Fact]
    public void EarlyStoppingStopsWhenAccuracyStallsAndKeepsTheBestWeights()
    {
        using var dir = new Support.TempDir();
        using var model = NewLeNet(3);
        // A vanishing learning rate: accuracy cannot improve after the first epoch.
        var options = Options(6) with { Optimizer = new OptimizerOptions { LearningRate = 1e-12 }, EarlyStopping = new EarlyStopping(Patience: 2) };
        var result = new Trainer(options) { OutputDirectory = dir.Path }.Fit(TrainingTarget.Whole(model), Train, Test, TinyData.Transform(Train));
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.History.Count);
        Assert.Equal(1, result.BestEpoch);
    }

    sealed class RecordingStep : ITrainingStep
    {
        public readonly List<long> Steps = [];
        public double MaxClippedNorm;

        public StepOutcome Run(StepContext context)
        {
            Steps.Add(context.Step);
            // An adversarial-style step: perturb the inputs with noise from the run's generator, then train on them.
            var noisy = context.Inputs + randn(context.Inputs.shape, generator: context.Random) * 0.1f;
            context.Optimizer.zero_grad();
            var output = context.Model.forward(noisy);
            var loss = context.Loss(output, context.Labels);
            loss.backward();
            context.ClipGradients();
            double norm = Math.Sqrt(context.Model.parameters().Sum(p => p.grad is null ? 0 : p.grad.square().sum().item<float>()));
            MaxClippedNorm = Math.Max(MaxClippedNorm, norm);
            context.Optimizer.step();
            return StepOutcome.FromLogits(loss, output, context.Labels);
        }
    }

    [Fact]
    public void StepAndLossHooksReplaceTheDefaults()
    {
        using var model = NewLeNet(4);
        var step = new RecordingStep();
        int lossCalls = 0;
        LossFunction smoothed = (output, labels) => { lossCalls++; return nn.functional.cross_entropy(output, labels, label_smoothing: 0.1); };
        var options = Options(2) with { GradientClipNorm = 0.01 };
        new Trainer(options) { Step = step, Loss = smoothed }.Fit(TrainingTarget.Whole(model), Train, Test, TinyData.Transform(Train));
        Assert.Equal(Enumerable.Range(0, 26).Select(i => (long)i), step.Steps);
        Assert.Equal(26 + 2 * 1, lossCalls); // every step, plus one evaluation batch per epoch
        Assert.True(step.MaxClippedNorm <= 0.01 * 1.0001, $"clipped gradient norm {step.MaxClippedNorm}");
    }

    [Fact]
    public void LiveTensorCountStaysFlatOverEpochs()
    {
        using var model = NewLeNet(6);
        var live = new List<long>();
        new Trainer(Options(5)) { EpochCompleted = _ => { GC.Collect(); GC.WaitForPendingFinalizers(); live.Add(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount); } }
            .Fit(TrainingTarget.Whole(model), Train, Test, TinyData.Transform(Train));
        // Epoch 1 creates the optimizer's momentum buffers; afterwards nothing may accumulate.
        Assert.All(live.Skip(1), count => Assert.Equal(live[1], count));
    }
}
