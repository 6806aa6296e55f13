using Deepscope.Data.Sources;
using Deepscope.Models;
using Deepscope.Training;
using Deepscope.Training.Metrics;
using Deepscope.Training.Steps;
using static TorchSharp.torch;

namespace Deepscope.Tests.Training;

/// <summary>The steps beyond classification learn what they should, and their losses match hand computations.</summary>
public class StepsTests : IClassFixture<SingleThreaded>
{
    static Examples Train => TinyData.SharedTrain;
    static Examples Test => TinyData.SharedTest;

    static TrainingOptions Options(int epochs) => new() { Epochs = epochs, BatchSize = 16, Seed = 3 };

    static OptimizerOptions Adam(double rate) => new() { Kind = OptimizerKind.Adam, LearningRate = rate };

    [Fact]
    public void RegressionLearnsAnImageToImageMapping()
    {
        random.manual_seed(1);
        var model = nn.Sequential(nn.Conv2d(1, 8, 1), nn.ReLU(), nn.Conv2d(8, 1, 1));
        var result = new Trainer(Options(10)) { Step = new SupervisedStep(Losses.MeanSquaredError, Fields.Target), Metrics = [new PsnrMetric(), new LossMetric(Losses.MeanSquaredError, Fields.Target)] }
            .Fit(new ModelSet(TrainedModel.Whole(ModelNames.Model, model, Adam(0.02))), TinyModels.Inverted(Train), TinyModels.Inverted(Test));
        var (first, last) = (result.History[0], result.History[^1]);
        Assert.Null(last.TrainAccuracy);
        Assert.True(last.TrainLoss < first.TrainLoss / 4, $"MSE {first.TrainLoss} -> {last.TrainLoss}");
        Assert.True(last.Metrics["eval_psnr"] > 20, $"PSNR {last.Metrics["eval_psnr"]}");
        Assert.Equal(10 * Math.Log10(1 / last.Metrics["eval_loss"]), last.Metrics["eval_psnr"], 0.5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SegmentationFindsTheBrightQuadrant(bool dice)
    {
        random.manual_seed(2);
        // Pointwise (1x1) convolutions: the bright quadrant is separable by brightness. Padded convolutions on these 8x8
        // single-channel batches returned NaN gradients at random in libtorch's CPU backward (see docs/training.md).
        var model = nn.Sequential(nn.Conv2d(1, 8, 1), nn.ReLU(), nn.Conv2d(8, 2, 1));
        var loss = dice ? Losses.Sum(Losses.CrossEntropy, Losses.Dice()) : Losses.CrossEntropy;
        var result = new Trainer(Options(6)) { Step = new SupervisedStep(loss, Fields.Mask), Metrics = [new IouMetric(2), new AccuracyMetric(Fields.Mask)], Monitor = "iou" }
            .Fit(new ModelSet(TrainedModel.Whole(ModelNames.Model, model, Adam(0.01))), TinyModels.Segmented(Train), TinyModels.Segmented(Test), TinyData.Transform(Train));
        Assert.True(result.History[^1].Metrics["eval_iou"] > 0.8, $"IoU {string.Join(" ", result.History.Select(r => r.Metrics["eval_iou"]))} loss {string.Join(" ", result.History.Select(r => r.TrainLoss))}");
        Assert.True(result.History[^1].Metrics["eval_accuracy"] > 0.9);
        Assert.Equal(result.History.MaxBy(r => r.Metrics["eval_iou"])!.Epoch, result.BestEpoch);
    }

    [Fact]
    public void DiceLossMatchesAHandComputation()
    {
        // Two pixels, two classes: softmax probabilities (0.5, 0.5) and (e/(1+e), 1/(1+e)); mask (1, 0).
        using var logits = tensor(new float[] { 0, 1, 0, 0 }).view(1, 2, 1, 2);
        using var mask = tensor(new long[] { 1, 0 }).view(1, 1, 2);
        double p = Math.E / (1 + Math.E);
        double dice0 = (2 * p + 1) / (0.5 + p + 1 + 1), dice1 = (2 * 0.5 + 1) / (0.5 + (1 - p) + 1 + 1);
        using var loss = Losses.Dice()(logits, mask);
        Assert.Equal(1 - (dice0 + dice1) / 2, loss.item<float>(), 6);
    }

    [Fact]
    public void TokenIdsReachTheModelAsInt64()
    {
        // Each sequence's label is its first token: an embedding bag learns it.
        using var g = new Generator(4);
        var tokens = randint(0, 6, [96, 5], dtype: ScalarType.Int64, generator: g);
        var labels = tokens.select(1, 0).remainder(3);
        var source = new TensorSource(new Dictionary<string, Tensor> { [Fields.Input] = tokens, [Fields.Label] = labels }, ["a", "b", "c"]);
        random.manual_seed(4);
        var seen = new List<ScalarType>();
        var model = new TokenModel(seen);
        var result = new Trainer(Options(8)).Fit(new ModelSet(TrainedModel.Whole(ModelNames.Model, model, Adam(0.05))), source, source);
        Assert.All(seen, dtype => Assert.Equal(ScalarType.Int64, dtype));
        Assert.True(result.History[^1].EvalAccuracy > 0.9, $"accuracy {result.History[^1].EvalAccuracy}");
    }

    sealed class TokenModel : nn.Module<Tensor, Tensor>
    {
        readonly TorchSharp.Modules.Embedding embedding = nn.Embedding(6, 8);
        readonly TorchSharp.Modules.Linear head = nn.Linear(8, 3);
        readonly List<ScalarType> _seen;

        public TokenModel(List<ScalarType> seen) : base(nameof(TokenModel))
        {
            _seen = seen;
            RegisterComponents();
        }

        public override Tensor forward(Tensor tokens)
        {
            _seen.Add(tokens.dtype);
            return head.forward(embedding.forward(tokens.select(1, 0)));
        }
    }

    [Fact]
    public void ReinforceLearnsWhereToLookAndItsHybridLossIsTheSumOfItsTerms()
    {
        var models = TinyModels.Policy(5);
        var result = new Trainer(Options(12)) { Step = new ReinforceStep(), Metrics = [new AccuracyMetric()] }
            .Fit(models, Train.ToSource(), Test.ToSource(), TinyData.Transform(Train));
        // A policy that looks at a random quadrant is right about half the time (1/4 + 3/4 * 1/3).
        Assert.True(result.History[^1].EvalAccuracy > 0.85, $"accuracy {result.History[^1].EvalAccuracy}");
        Assert.True(result.History[^1].Metrics["train_reward"] > result.History[0].Metrics["train_reward"]);

        // One step of a fixed policy output: cross-entropy + REINFORCE + baseline MSE, by hand.
        using var logits = tensor(new float[] { 2, 0, 0, 1 }).view(2, 2);
        using var labels = tensor(new long[] { 0, 0 });
        using var logProbabilities = tensor(new float[] { -0.5f, -1.5f }).view(2, 1);
        using var baselines = tensor(new float[] { 0.25f, 0.75f }).view(2, 1);
        var fixedPolicy = new FixedPolicy(new PolicyOutput(logits, logProbabilities, baselines));
        double crossEntropy = (Math.Log(1 + Math.Exp(-2)) + Math.Log(1 + Math.E)) / 2;
        double reinforce = -(-0.5 * (1 - 0.25) + -1.5 * (0 - 0.75)) / 2;
        double baselineMse = (0.75 * 0.75 + 0.75 * 0.75) / 2;
        var step = new ReinforceStep(ReinforceWeight: 1, BaselineWeight: 0.5);
        var outcome = new Trainer(Options(1) with { BatchSize = 2 }) { Step = step }
            .Fit(new ModelSet(TrainedModel.Whole(ModelNames.Model, fixedPolicy, Adam(1e-9))), new TensorSource(new Dictionary<string, Tensor>
                { [Fields.Input] = zeros(2, 1), [Fields.Label] = labels }, ["a", "b"]));
        Assert.Equal(crossEntropy + reinforce + 0.5 * baselineMse, outcome.History[0].TrainLoss, 5);
        Assert.Equal(0.5, outcome.History[0].Metrics["train_reward"]);
    }

    /// <summary>A policy returning fixed tensors, plus a parameter so it has something to train.</summary>
    sealed class FixedPolicy : nn.Module, IPolicyModel
    {
        readonly TorchSharp.Modules.Parameter zero = nn.Parameter(zeros(1));
        readonly PolicyOutput _output;

        public FixedPolicy(PolicyOutput output) : base(nameof(FixedPolicy))
        {
            _output = output;
            RegisterComponents();
        }

        public PolicyOutput Forward(Tensor input, Generator random) =>
            new(_output.Logits + zero, _output.ActionLogProbabilities + zero, _output.Baselines + zero);
    }

    [Fact]
    public void AdversarialAttackStaysInTheBallAndRaisesTheLoss()
    {
        var model = ModelZoo.mlp(64, [32], 4);
        var transform = TinyData.Transform(Train);
        new Trainer(Options(2) with { Optimizer = new OptimizerOptions { LearningRate = 0.05, Momentum = 0.9 } }).Fit(TrainingTarget.Whole(model), Train, null, transform);
        var pgd = new AdversarialStep(Epsilon: 0.3, StepSize: 0.1, Steps: 5);
        var seen = new List<(double Distance, double Clean, double Attacked, bool Training)>();
        var probe = new AttackProbe(pgd, seen);
        new Trainer(Options(1)) { Step = probe }.Fit(TrainingTarget.Whole(model), Train, null, transform);
        Assert.Equal(13, seen.Count);
        Assert.All(seen, s => Assert.True(s.Distance <= 0.3 + 1e-6, $"L-inf distance {s.Distance}"));
        Assert.All(seen, s => Assert.True(s.Attacked > s.Clean, $"loss {s.Clean} -> {s.Attacked}"));
        Assert.All(seen, s => Assert.True(s.Training, "the model is back in training mode after the attack"));
        Assert.Equal(new AdversarialStep(0.1, 0.1, 1, RandomStart: false), AdversarialStep.Fgsm(0.1));
    }

    sealed class AttackProbe(AdversarialStep step, List<(double, double, double, bool)> seen) : ITrainingStep
    {
        public StepOutcome Run(StepContext context)
        {
            var clean = context.Inputs;
            var attacked = step.Attack(context);
            using (no_grad())
            {
                double cleanLoss = context.Loss(context.Model.forward(clean), context.Labels).item<float>();
                double attackedLoss = context.Loss(context.Model.forward(attacked), context.Labels).item<float>();
                seen.Add(((attacked - clean).abs().max().item<float>(), cleanLoss, attackedLoss, context.Model.training));
            }
            return step.Run(context);
        }
    }
}
