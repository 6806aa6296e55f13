using Deepscope.Data.Sources;
using Deepscope.Models;
using Deepscope.Training;
using Deepscope.Training.Metrics;
using Deepscope.Training.Steps;
using static TorchSharp.torch;

namespace Deepscope.Tests.Training;

/// <summary>
/// A run killed and resumed by a fresh trainer with freshly built models ends with bit-identical weights and history to
/// an uninterrupted run, for the supervised, GAN and REINFORCE steps, at an epoch boundary and mid-epoch.
/// </summary>
public class ResumeTests : IClassFixture<SingleThreaded>
{
    static Examples Train => TinyData.SharedTrain;
    static Examples Test => TinyData.SharedTest;

    static TrainingOptions Options(int epochs) => new()
    {
        Epochs = epochs,
        BatchSize = 16,
        Optimizer = new OptimizerOptions { LearningRate = 0.05, Momentum = 0.9 },
        Schedule = new LearningRateSchedule { Kind = ScheduleKind.Cosine },
        Seed = 11,
    };

    /// <summary>Runs straight, then killed at <paramref name="killAt"/> and resumed; asserts the same weights and history.</summary>
    static IReadOnlyList<EpochRecord> AssertResumesExactly(Func<ModelSet> build, IDataSource train, IDataSource eval, InputTransform? transform,
        TrainingOptions options, ITrainingStep step, Func<IReadOnlyList<IMetric>> metrics, long killAt, int checkpointEvery = 0)
    {
        var straight = build();
        var expected = new Trainer(options) { Step = step, Metrics = metrics() }.Fit(straight, train, eval, transform);

        using var dir = new Support.TempDir();
        Assert.Throws<KilledAt.Killed>(() => new Trainer(options) { Step = new KilledAt(step, killAt), Metrics = metrics(), OutputDirectory = dir.Path, CheckpointEverySteps = checkpointEvery }
            .Fit(build(), train, eval, transform));
        var resumed = build();
        var result = new Trainer(options) { Step = step, Metrics = metrics(), OutputDirectory = dir.Path, Resume = true, CheckpointEverySteps = checkpointEvery }
            .Fit(resumed, train, eval, transform);

        TinyModels.AssertSame(straight, resumed);
        Assert.Equal(expected.History.Select(r => r.Metrics), result.History.Select(r => r.Metrics));
        return result.History;
    }

    static ModelSet LeNet(long seed)
    {
        random.manual_seed(seed);
        return new ModelSet(TrainedModel.Whole(ModelNames.Model, ModelZoo.lenet(numClasses: 4, imageSize: 8), Options(1).Optimizer, Options(1).Schedule));
    }

    [Theory]
    [InlineData(26, 0)]  // killed at the first step of epoch 3: resumes from the end of epoch 2
    [InlineData(20, 4)]  // killed mid epoch 2 with a checkpoint every 4 steps: resumes after step 20 of 39
    public void Supervised(long killAt, int checkpointEvery)
    {
        var options = Options(3) with { Augmentation = new Augmentation(1, true) };
        AssertResumesExactly(() => LeNet(7), Train.ToSource(), Test.ToSource(), TinyData.Transform(Train), options, SupervisedStep.Instance,
            () => [new LossMetric(Losses.CrossEntropy), new AccuracyMetric()], killAt, checkpointEvery);
    }

    [Fact]
    public void ConditionalGan()
    {
        var train = TinyModels.Inverted(Train);
        var history = AssertResumesExactly(() => TinyModels.Pix2Pix(3), train, TinyModels.Inverted(Test), null, Options(3),
            new GanStep(L1Weight: 100), () => [new PsnrMetric(), new LossMetric(Losses.L1, Fields.Target, "l1")], killAt: 13 + 7, checkpointEvery: 5);
        Assert.All(history, r => Assert.True(r.Metrics.ContainsKey("train_discriminator_loss")));
        // The L1 term pulls the generator's output towards the inverted image.
        Assert.True(history[^1].Metrics["eval_psnr"] > history[0].Metrics["eval_psnr"] + 1, $"PSNR {history[0].Metrics["eval_psnr"]} -> {history[^1].Metrics["eval_psnr"]}");
    }

    [Fact]
    public void Reinforce()
    {
        var options = Options(4);
        AssertResumesExactly(() => TinyModels.Policy(5), Train.ToSource(), Test.ToSource(), TinyData.Transform(Train), options,
            new ReinforceStep(), () => [new AccuracyMetric()], killAt: 2 * 13);
    }
}
