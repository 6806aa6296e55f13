using Deepscope.Models;
using Deepscope.Robustness;
using Deepscope.Tests.Training;
using Deepscope.Training;
using Deepscope.Training.Steps;
using static TorchSharp.torch;

namespace Deepscope.Tests.Robustness;

/// <summary>The training-side defences: adversarial steps in pixel space and Parseval training through the trainer.</summary>
public class DefenceTests : IClassFixture<SingleThreaded>
{
    static Examples Train => TinyData.SharedTrain;

    [Fact]
    public void DefenceOptionsBuildTheStepsTheyName()
    {
        var transform = TinyData.Transform(Train);
        var pgd = Assert.IsType<AdversarialStep>(new DefenceOptions { Adversarial = "pgd", Epsilon = 0.3, Steps = 40 }.Step(transform));
        Assert.Equal((0.3, 2.5 * 0.3 / 40, 40, true), (pgd.Epsilon, pgd.StepSize, pgd.Steps, pgd.RandomStart));
        Assert.Same(transform, pgd.Pixels);
        var fast = Assert.IsType<AdversarialStep>(new DefenceOptions { Adversarial = "fast-fgsm", Epsilon = 0.1 }.Step(transform));
        Assert.Equal((0.125, 1, true), (fast.StepSize, fast.Steps, fast.RandomStart));
        var parseval = Assert.IsType<ParsevalStep>(new DefenceOptions { Adversarial = "fgsm", ParsevalBeta = 3e-4 }.Step(transform));
        Assert.IsType<AdversarialStep>(parseval.Inner);
        Assert.Same(SupervisedStep.Instance, new DefenceOptions().Step(transform));
        Assert.Equal("plain", new DefenceOptions().Describe(transform));
        Assert.StartsWith("adversarial pgd-linf eps=0.3", new DefenceOptions { Adversarial = "pgd" }.Describe(transform));
        Assert.Throws<DeepscopeException>(() => new DefenceOptions { Adversarial = "free" }.Step(transform));
    }

    [Fact]
    public void PixelSpaceAdversarialStepStaysInThePixelBall()
    {
        var model = ModelZoo.mlp(64, [32], 4);
        var transform = TinyData.Transform(Train);
        var step = new AdversarialStep(0.1, 0.04, 5) { Pixels = transform };
        var distances = new List<(double Distance, double Low, double High)>();
        new Trainer(new TrainingOptions { Epochs = 1, BatchSize = 16, Seed = 3 }) { Step = new PixelProbe(step, transform, distances) }
            .Fit(TrainingTarget.Whole(model), Train, null, transform);
        Assert.Equal(13, distances.Count);
        Assert.All(distances, d => Assert.True(d.Distance <= 0.1 + 1e-5, $"pixel L-inf distance {d.Distance}"));
        Assert.All(distances, d => Assert.True(d.Low >= -1e-5 && d.High <= 1 + 1e-5, $"pixels in [{d.Low}, {d.High}]"));
        Assert.Contains(distances, d => d.Distance > 0.09);
    }

    sealed class PixelProbe(AdversarialStep step, InputTransform transform, List<(double, double, double)> seen) : ITrainingStep
    {
        public StepOutcome Run(StepContext context)
        {
            // Inside no_grad on purpose: attacks turn gradients back on for themselves.
            using (no_grad())
            {
                var mean = tensor(transform.Mean).view(1, -1, 1, 1);
                var std = tensor(transform.Std).view(1, -1, 1, 1);
                var clean = context.Inputs * std + mean;
                var attacked = step.Attack(context) * std + mean;
                seen.Add(((attacked - clean).abs().max().item<float>(), attacked.min().item<float>(), attacked.max().item<float>()));
            }
            return step.Run(context);
        }
    }

    [Fact]
    public void ParsevalTrainingKeepsSingularValuesNearOne()
    {
        random.manual_seed(8);
        var plain = ModelZoo.mlp(64, [32], 4);
        random.manual_seed(8);
        var parseval = ModelZoo.mlp(64, [32], 4);
        var transform = TinyData.Transform(Train);
        var options = new TrainingOptions { Epochs = 5, BatchSize = 16, Seed = 3, Optimizer = new OptimizerOptions { LearningRate = 0.1, Momentum = 0.9 } };
        new Trainer(options).Fit(TrainingTarget.Whole(plain), Train, null, transform);
        new Trainer(options) { Step = new ParsevalStep(SupervisedStep.Instance, Beta: 0.05) }.Fit(TrainingTarget.Whole(parseval), Train, null, transform);
        static double Deviation(nn.Module m) => LipschitzBound.Layers(m).Max(l => Math.Abs(l.LargestSingularValues[0] - 1));
        Assert.True(Deviation(parseval) < 0.15, $"Parseval largest singular value deviates by {Deviation(parseval)} from 1");
        Assert.True(Deviation(parseval) < Deviation(plain) / 2, $"Parseval {Deviation(parseval)} vs plain {Deviation(plain)}");
    }
}
