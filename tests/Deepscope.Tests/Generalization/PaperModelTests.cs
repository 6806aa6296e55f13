using Deepscope.Models;
using Deepscope.Studies.Generalization;
using Deepscope.Tests.Data.Sources;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Tests.Generalization;

public class PaperModelTests
{
    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    // Zhang et al. (2017), Table 1.
    [Theory]
    [InlineData("inception-small", 1_649_402)]
    [InlineData("inception-small-no-bn", 1_649_402)]
    [InlineData("alexnet-small", 1_387_786)]
    [InlineData("mlp-3x512", 1_735_178)]
    [InlineData("mlp-1x512", 1_209_866)]
    public void ParameterCountsAreThePapers(string name, long expected)
    {
        var spec = ModelZoo.Get(name);
        Assert.Equal(new ModelShape(10, 3, 28), spec.DefaultShape);
        Assert.Equal(expected, ModelZoo.ParameterCount(spec, spec.DefaultShape));
        Assert.Contains($"{expected:N0} parameters", ModelZoo.Catalog.Get(name).Facts);
        // Dropout adds no parameters, and the zoo's model is the study's.
        using var withDropout = GeneralizationRuns.CreateModel(new RunCell(RunGroup.Table, name, 0, "true-labels", "dropout"), dropout: 0.5);
        Assert.Equal(expected, Count(withDropout));
        // The paper's input: 28x28 centre crops standardised per image.
        Assert.True(spec.Input is { CropSize: 28, ImageSize: 28, PerImage: true, Channels: 3 });
    }

    [Fact]
    public void TheNetworksClassify28x28CropsAndTrainOneStep()
    {
        foreach (var name in new[] { "inception-small", "inception-small-no-bn", "alexnet-small" })
        {
            manual_seed(0);
            using var model = ModelZoo.Get(name).Create(new ModelShape(10, 3, 28));
            using var x = randn(4, 3, 28, 28);
            using var y = model.forward(x);
            Assert.Equal([4L, 10], y.shape);
            using var loss = nn.functional.cross_entropy(y, tensor(new long[] { 0, 1, 2, 3 }));
            loss.backward();
            Assert.All(model.parameters(), p => Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, $"{name}: a parameter got no gradient"));
        }
    }

    [Fact]
    public void CeilModePoolingIsTensorFlowsSamePadding()
    {
        // TF's SAME 3x3/2 max-pool of 28 (or 14) pads one -inf column/row on the right/bottom only: ceil mode does that.
        manual_seed(1);
        foreach (var size in new[] { 28L, 14L })
        {
            using var x = randn(2, 3, size, size);
            using var padded = nn.functional.pad(x, [0, 1, 0, 1], value: double.NegativeInfinity);
            using var same = nn.functional.max_pool2d(padded, 3, 2);
            using var ceil = nn.functional.max_pool2d(x, 3, 2, ceil_mode: true);
            Assert.Equal([2L, 3, (size + 1) / 2, (size + 1) / 2], ceil.shape);
            Assert.True(TensorAssert.Same(same, ceil));
        }
    }

    [Fact]
    public void TheSweepFamiliesSpanTwoOrdersOfMagnitude()
    {
        using var small = new WidthCnn(2);
        using var large = new WidthCnn(64);
        Assert.True(Count(large) > 100 * Count(small), $"{Count(small)} -> {Count(large)}");
        using var resnet = new CifarResNet([2, 2, 2, 2], 10, 3, width: 64);
        Assert.Equal(11_173_962, Count(resnet)); // width 64 is ResNet-18
        using var quarter = new CifarResNet([2, 2, 2, 2], 10, 3, width: 16);
        Assert.InRange(Count(quarter) / (double)Count(resnet), 1 / 17.0, 1 / 15.0); // about width squared
    }

    [Fact]
    public void TheSweepCnnWithoutBatchNormTradesEachNormsScaleAndShiftForAConvolutionBias()
    {
        using var normalised = new WidthCnn(8);
        using var plain = new WidthCnn(8, batchNorm: false);
        Assert.Equal(Count(normalised) - (8 + 8 + 16 + 16), Count(plain));
        Assert.DoesNotContain(plain.modules(), m => m is TorchSharp.Modules.BatchNorm2d);
        // In training mode nothing couples an image to its batch: alone or among others, it gets the same logits.
        manual_seed(1);
        using var x = randn(4, 3, 28, 28);
        Tensor FirstAloneMinusInBatch(WidthCnn model)
        {
            model.train();
            using var inBatch = model.forward(x);
            using var alone = model.forward(x[..1]);
            return (alone - inBatch[..1]).abs().max();
        }
        Assert.True(FirstAloneMinusInBatch(plain).item<float>() < 1e-5f);
        Assert.True(FirstAloneMinusInBatch(normalised).item<float>() > 1e-2f);  // batch norm does couple them
    }

    [Fact]
    public void PerImageStandardisationIsTensorFlows()
    {
        manual_seed(2);
        using var images = randint(0, 256, [3, 3, 32, 32], dtype: ScalarType.Byte);
        images[1].fill_(77); // constant image: its deviation is floored at 1/sqrt(values), so it becomes zeros
        var transform = InputTransform.CentreCropPerImage(28);
        using var prepared = transform.Apply(images);
        Assert.Equal([3L, 3, 28, 28], prepared.shape);
        using var crop = images[.., .., 2..30, 2..30].to_type(ScalarType.Float64).div(255);
        for (int i = 0; i < 3; i++)
        {
            var values = crop[i].flatten().data<double>().ToArray();
            double mean = values.Average(), std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
            double adjusted = Math.Max(std, 1 / Math.Sqrt(values.Length));
            using var expected = crop[i].sub(mean).div(adjusted).to_type(ScalarType.Float32);
            Assert.True(prepared[i].allclose(expected, rtol: 1e-4, atol: 1e-5), $"image {i}");
        }
        Assert.Equal(0, prepared[1].abs().max().item<float>());
    }
}
