using Deepscope.Robustness;
using Deepscope.Tests.Training;
using static TorchSharp.torch;

namespace Deepscope.Tests.Robustness;

/// <summary>The Parseval retraction, the simplex projection and the Lipschitz product bound.</summary>
public class ParsevalTests : IClassFixture<SingleThreaded>
{
    static double[] SingularValues(Tensor weight) =>
        linalg.svdvals(weight.detach().view(weight.shape[0], -1).to_type(ScalarType.Float64)).data<double>().ToArray();

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void TheRetractionDrivesSingularValuesToOne(double rowFraction)
    {
        random.manual_seed(2);
        var model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(50, 20));
        using (no_grad())
            foreach (var weight in Parseval.Weights(model)) weight.mul_(1.5 / SingularValues(weight)[0]);
        Assert.Contains(SingularValues(model.named_parameters().First().parameter), s => Math.Abs(s - 1) > 0.3);
        var generator = new Generator(7);
        for (int i = 0; i < 400; i++) Parseval.Retract(model, beta: 0.1, rowFraction, generator);
        foreach (var weight in Parseval.Weights(model))
            Assert.All(SingularValues(weight), s => Assert.InRange(s, 1 - 1e-3, 1 + 1e-3));
    }

    [Fact]
    public void OneRetractionStepMovesEachSingularValueAsTheScalarMap()
    {
        // With W = U S V^T, (1 + b) W - b W W^T W = U ((1 + b) S - b S^3) V^T.
        random.manual_seed(4);
        var w = randn(6, 10, ScalarType.Float64) * 0.4;
        var before = SingularValues(w);
        var after = SingularValues(Parseval.RetractMatrix(w, 0.05));
        for (int i = 0; i < before.Length; i++)
            Assert.Equal((1.05) * before[i] - 0.05 * Math.Pow(before[i], 3), after[i], 10);
    }

    [Theory]
    [InlineData(new[] { 0.8, 0.8 }, new[] { 0.5, 0.5 })]
    [InlineData(new[] { 2.0, 0.0 }, new[] { 1.0, 0.0 })]
    [InlineData(new[] { 0.3, 0.2, 0.1 }, new[] { 0.3 + 0.4 / 3, 0.2 + 0.4 / 3, 0.1 + 0.4 / 3 })]
    [InlineData(new[] { 1.5, -1.0, 0.2 }, new[] { 1.0, 0.0, 0.0 })]
    public void SimplexProjectionMatchesHandComputations(double[] v, double[] expected)
    {
        var projected = Parseval.ProjectOnSimplex(tensor(v)).data<double>().ToArray();
        for (int i = 0; i < v.Length; i++) Assert.Equal(expected[i], projected[i], 9);
    }

    [Fact]
    public void ConvexAggregationIsProjectedAfterTheRetraction()
    {
        var aggregation = new ConvexAggregation();
        using (no_grad()) aggregation.Weights.copy_(tensor(new[] { 0.9f, 0.6f }));
        Parseval.Retract(aggregation, beta: 3e-4);
        var weights = aggregation.Weights.data<float>().ToArray();
        Assert.Equal(0.65f, weights[0], 5);
        Assert.Equal(0.35f, weights[1], 5);
        using var mixed = aggregation.forward(ones(2), zeros(2));
        Assert.Equal(0.65f, mixed[0].item<float>(), 5);
    }

    [Fact]
    public void DcfConvolutionsCountWithTheirRebuiltKernels()
    {
        random.manual_seed(1);
        var regular = Deepscope.Models.ModelZoo.lenet();
        var dcf = Deepscope.Models.Dcf.DcfNetworks.Convert(Deepscope.Models.ModelZoo.lenet());
        Assert.Equal(LipschitzBound.Layers(regular).Select(l => l.Name), LipschitzBound.Layers(dcf).Select(l => l.Name));
        var conv1 = LipschitzBound.Layers(dcf).First();
        var kernel = dcf.modules().OfType<Deepscope.Models.Dcf.DcfConv2d>().First().Kernel();
        Assert.Equal(5 * SingularValues(kernel)[0], conv1.Factor, 4);
    }

    [Fact]
    public void TheProductBoundHoldsAndIsExactForOneLinearLayer()
    {
        random.manual_seed(6);
        var linear = nn.Linear(12, 5);
        var layers = LipschitzBound.Layers(linear);
        Assert.Single(layers);
        Assert.Equal(SingularValues(linear.weight!)[0], LipschitzBound.Product(layers), 5);

        var model = nn.Sequential(nn.Conv2d(1, 4, 3, padding: 1), nn.ReLU(), nn.Conv2d(4, 4, 3, stride: 2, padding: 1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 3));
        double bound = LipschitzBound.Product(LipschitzBound.Layers(model));
        Assert.Equal(3, LipschitzBound.Layers(model).Count);
        var generator = new Generator(1);
        using var _ = no_grad();
        for (int i = 0; i < 50; i++)
        {
            var x = randn(1, 1, 8, 8, generator: generator);
            var y = x + 0.01 * randn(1, 1, 8, 8, generator: generator);
            double ratio = (model.forward(x) - model.forward(y)).norm().item<float>() / (x - y).norm().item<float>();
            Assert.True(ratio <= bound, $"|f(x) - f(y)| / |x - y| = {ratio} exceeds the bound {bound}");
        }
    }
}
