using Deepscope.Models;
using Deepscope.Models.Inference;
using Deepscope.Models.Pretrained;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Deepscope.Tests.Models.Inference;

/// <summary>
/// <see cref="BatchNormFolding"/>: a folded model gives the unfolded model's outputs to 1e-5 (relative to the largest
/// output), with batch-norm statistics and affine parameters drawn at random so that every fold changes the weights.
/// </summary>
public class BatchNormFoldingTests
{
    // Model, image size, batch norms folded: every conv -> bn pair (ResNet-18: stem, 16 block convolutions, 3 downsamples).
    public static TheoryData<string, long, int> Models => new()
    {
        { "resnet18", 64, 20 },
        { "resnet50", 64, 53 },
        { "resnet18-cntk", 64, 22 },
        { "vgg11_bn", 64, 8 },
        { "resnet18_cifar", 32, 20 },
        { "vgg16_cifar", 32, 13 },
        { "lenet", 28, 2 },
        { "inception-small", 28, 19 },
        { "alexnet-small", 28, 0 },
        { "dcf-resnet18", 32, 3 }, // only the downsampling Conv2d: DCF convolutions are not Conv2d and keep their batch norms
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Folded_model_gives_the_unfolded_outputs(string name, long size, int expectedFolds)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        var spec = ModelZoo.Get(name);
        using var model = spec.Create(spec.DefaultShape with { ImageSize = size });
        RandomiseBatchNorms(model);
        model.eval();
        var x = rand(3, spec.DefaultShape.Channels, size, size);
        Tensor before;
        using (no_grad()) before = model.call(x);
        int folded = BatchNormFolding.Fold(model);
        Tensor after;
        using (no_grad()) after = model.call(x);
        Assert.Equal(expectedFolds, folded);
        AssertClose(before, after);
    }

    [Fact]
    public void Routed_convolutions_fold_too()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        using var model = ModelZoo.Get("resnet18_cifar").Create(new ModelShape(10, 3, 32));
        RandomiseBatchNorms(model);
        Assert.True(RoutedConv2d.RouteConvolutions(model) > 0);
        model.eval();
        var x = rand(2, 3, 32, 32);
        using var _ = no_grad();
        var before = model.call(x);
        Assert.Equal(20, BatchNormFolding.Fold(model));
        AssertClose(before, model.call(x));
        Assert.All(model.modules().OfType<RoutedConv2d>(), c => Assert.NotNull(c.Bias));
    }

    [Fact]
    public void An_observed_convolution_keeps_its_batch_norm_and_its_own_output()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        using var model = CnnModels.Create("resnet18", 10);
        RandomiseBatchNorms(model);
        model.eval();
        var x = rand(2, 3, 64, 64);
        string[] layers = ["layer1.0.conv1", "layer2.0.bn2", "avgpool"];
        Dictionary<string, Tensor> before;
        using (no_grad()) before = LayerWalk.Run(model, x, layers);
        Assert.Equal(19, BatchNormFolding.Fold(model, observed: layers.ToHashSet()));
        Dictionary<string, Tensor> after;
        using (no_grad()) after = LayerWalk.Run(model, x, layers);
        foreach (var layer in layers) AssertClose(before[layer], after[layer]);
    }

    [Fact]
    public void Training_mode_batch_norms_are_not_folded()
    {
        using var model = CnnModels.Create("resnet18", 10);
        model.train();
        Assert.Equal(0, BatchNormFolding.Fold(model));
    }

    static void RandomiseBatchNorms(nn.Module model)
    {
        using var _ = no_grad();
        foreach (var m in model.modules().OfType<BatchNorm2d>())
        {
            m.running_mean!.copy_(randn_like(m.running_mean) * 0.2);
            m.running_var!.copy_(rand_like(m.running_var) + 0.5);
            m.weight?.copy_(rand_like(m.weight) + 0.5);
            m.bias?.copy_(randn_like(m.bias) * 0.2);
        }
    }

    static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().item<float>();
        double error = (expected - actual).abs().max().item<float>();
        Assert.True(error <= 1e-5 * scale, $"max |difference| {error:E3} against max |output| {scale:E3}");
    }
}
