using Deepscope.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Deepscope.Tests.Training;

/// <summary>
/// Five steps on f(p) = sum(a p^2)/2 with p0 = (1, -2, 3), a = (1, 0.5, 2), float64, against PyTorch 1.13's optimizers
/// with the same hyper-parameters (values printed by python3-torch).
/// </summary>
public class OptimizerTests
{
    static double[] FiveSteps(OptimizerOptions options)
    {
        var p = new TorchSharp.Modules.Parameter(tensor(new[] { 1.0, -2.0, 3.0 }));
        using var a = tensor(new[] { 1.0, 0.5, 2.0 });
        using var optimizer = options.Create([new ParameterGroup("p", [p])]);
        for (int i = 0; i < 5; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            (a * p * p).sum().div(2).backward();
            optimizer.step();
        }
        return p.detach().data<double>().ToArray();
    }

    static void Close(double[] expected, double[] actual)
    {
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-9, $"[{i}] expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void SgdWithMomentumAndWeightDecay() => Close([-0.036815008311901154, -0.8139030340866978, -1.7518683755172033],
        FiveSteps(new OptimizerOptions { LearningRate = 0.1, Momentum = 0.9, WeightDecay = 0.01 }));

    [Fact]
    public void SgdNesterov() => Close([-0.11079058945899668, -0.6103903783943717, -1.2490802214411305],
        FiveSteps(new OptimizerOptions { LearningRate = 0.1, Momentum = 0.9, Nesterov = true, WeightDecay = 0.01 }));

    [Fact]
    public void AdamWithL2() => Close([0.5079636618744905, -1.5029557850871318, 2.5017794562230318],
        FiveSteps(new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 0.1, WeightDecay = 0.01 }));

    [Fact]
    public void AdamWDecoupledDecay() => Close([0.4699526596188067, -1.415566483794352, 2.3652785732416897],
        FiveSteps(new OptimizerOptions { Kind = OptimizerKind.AdamW, LearningRate = 0.1, WeightDecay = 0.1 }));

    [Fact]
    public void ClearedGradientsTrainBitForBitAsZeroedOnes()
    {
        float[] Train(bool clear)
        {
            random.manual_seed(3);
            using var model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 4));
            using var x = randn(8, 20);
            using var y = randint(0, 4, 8);
            using var optimizer = new OptimizerOptions { LearningRate = 0.1, Momentum = 0.9, WeightDecay = 5e-4 }
                .Create([new ParameterGroup("all", model.parameters().ToList())]);
            for (int i = 0; i < 4; i++)
            {
                using var scope = NewDisposeScope();
                if (clear) optimizer.ClearGradients(); else optimizer.zero_grad();
                Assert.All(model.parameters(), p => Assert.Equal(clear || i == 0, p.grad is null));
                nn.functional.cross_entropy(model.forward(x), y).backward();
                optimizer.step();
            }
            return [.. model.parameters().SelectMany(p => p.detach().data<float>().ToArray())];
        }
        Assert.Equal(Train(clear: false), Train(clear: true));
    }

    [Fact]
    public void GroupsGetTheirOwnLearningRate()
    {
        var fast = new TorchSharp.Modules.Parameter(ones(2, dtype: ScalarType.Float64));
        var slow = new TorchSharp.Modules.Parameter(ones(2, dtype: ScalarType.Float64));
        using var optimizer = new OptimizerOptions { LearningRate = 0.5 }.Create([new("head", [fast]), new("body", [slow], 0.1)]);
        (fast.sum() + slow.sum()).backward();
        optimizer.step();
        Assert.Equal(0.5, fast[0].item<double>(), 12);     // 1 - 0.5 * 1
        Assert.Equal(0.95, slow[0].item<double>(), 12);    // 1 - 0.05 * 1
        Assert.Equal([0.5, 0.05], optimizer.ParamGroups.Select(g => g.LearningRate).ToArray());
    }

    [Fact]
    public void NesterovWithoutMomentumIsRejected() =>
        Assert.Contains("Nesterov", Assert.Throws<DeepscopeException>(() => new OptimizerOptions { Nesterov = true }.Validate()).Message);
}
