using Deepscope.Models.Attention;
using Deepscope.Training.Steps;
using static TorchSharp.torch;

namespace Deepscope.Tests.Attention;

/// <summary>The hybrid loss's three terms reach only the parts they should (Mnih et al. 2014, section 4).</summary>
public sealed class RamGradientTests
{
    static readonly string[] Location = ["locator.", "locatorHidden."], Baseline = ["baseline."];
    static readonly string[] GlimpseAndCore = ["whatHidden.", "whereHidden.", "what.", "where.", "inputToCore.", "coreToCore.", "lstm."];

    /// <summary>Parameter names whose gradient after backpropagating one loss term is nonzero.</summary>
    static HashSet<string> Reached(AttentionCore core, int locatorHidden, Func<PolicyOutput, Tensor, Tensor> term)
    {
        random.manual_seed(3);
        var model = new RecurrentAttentionModel(new RamOptions { Glimpses = 4, Patch = 6, Scales = 2, Core = core, LocationStd = 0.2, LocatorHidden = locatorHidden });
        using var generator = new Generator(11);
        using var images = rand(8, 1, 28, 28, generator: generator);
        using var labels = randint(0, 10, [8], generator: generator);
        var output = model.Forward(images, generator);
        term(output, labels).backward();
        return model.named_parameters().Where(p => p.parameter.grad is { } g && g.abs().sum().item<float>() > 0).Select(p => p.name).ToHashSet();
    }

    static Tensor Reward(PolicyOutput o, Tensor labels) =>
        o.Logits.argmax(1).eq(labels).to_type(ScalarType.Float32).unsqueeze(1).expand_as(o.Baselines);

    static bool Under(string name, string[] prefixes) => prefixes.Any(name.StartsWith);

    [Theory]
    [InlineData(AttentionCore.Rnn, 0)]
    [InlineData(AttentionCore.Lstm, 0)]
    [InlineData(AttentionCore.Rnn, 16)]
    public void Classification_reaches_glimpse_core_and_classifier_but_not_the_location_network_or_baseline(AttentionCore core, int locatorHidden)
    {
        var reached = Reached(core, locatorHidden, (o, labels) => nn.functional.cross_entropy(o.Logits, labels));
        Assert.Contains(reached, n => n.StartsWith("classifier."));
        Assert.Contains(reached, n => Under(n, GlimpseAndCore));
        Assert.DoesNotContain(reached, n => Under(n, Location) || Under(n, Baseline));
    }

    [Theory]
    [InlineData(AttentionCore.Rnn, 0)]
    [InlineData(AttentionCore.Lstm, 0)]
    [InlineData(AttentionCore.Rnn, 16)]
    public void Reinforce_reaches_only_the_location_network(AttentionCore core, int locatorHidden)
    {
        var reached = Reached(core, locatorHidden, (o, labels) => -(o.ActionLogProbabilities * (Reward(o, labels) - 0.5)).sum(1).mean());
        Assert.NotEmpty(reached);
        Assert.All(reached, n => Assert.True(Under(n, Location), $"REINFORCE reached {n}"));
        Assert.Equal(locatorHidden > 0, reached.Any(n => n.StartsWith("locatorHidden.")));
    }

    [Theory]
    [InlineData(AttentionCore.Rnn, 0)]
    [InlineData(AttentionCore.Lstm, 0)]
    [InlineData(AttentionCore.Rnn, 16)]
    public void The_baseline_loss_reaches_only_the_baseline(AttentionCore core, int locatorHidden)
    {
        var reached = Reached(core, locatorHidden, (o, labels) => nn.functional.mse_loss(o.Baselines, Reward(o, labels)));
        Assert.NotEmpty(reached);
        Assert.All(reached, n => Assert.True(Under(n, Baseline), $"the baseline loss reached {n}"));
    }

    [Fact]
    public void Evaluation_uses_the_policy_mean_and_random_glimpses_carry_no_policy_gradient()
    {
        random.manual_seed(5);
        var model = new RecurrentAttentionModel(new RamOptions { Glimpses = 3, Patch = 4 });
        using var images = rand(4, 1, 28, 28);
        model.eval();
        using var first = new Generator(1);
        using var second = new Generator(2);
        using var a = model.Forward(images, first).Logits;
        using var b = model.Forward(images, second).Logits;
        Assert.True(a.allclose(b), "evaluation with the policy mean must not depend on the generator");

        var control = new RecurrentAttentionModel(new RamOptions { Glimpses = 3, Patch = 4, Policy = GlimpsePolicy.Random });
        var output = control.Forward(images, first);
        Assert.Equal(0f, output.ActionLogProbabilities.abs().sum().item<float>());
        Assert.False(output.ActionLogProbabilities.requires_grad);
    }
}
