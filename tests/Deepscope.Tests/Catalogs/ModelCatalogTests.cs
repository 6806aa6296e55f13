using Deepscope.Models;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Catalogs;

/// <summary>Counting parameters switches the process-wide default device to meta for a moment: run alone.</summary>
[CollectionDefinition(nameof(MetaDeviceCollection), DisableParallelization = true)]
public sealed class MetaDeviceCollection;

/// <summary>The model catalog: parameter counts against torchvision's published numbers and hand counts.</summary>
[Collection(nameof(MetaDeviceCollection))]
public class ModelCatalogTests
{
    [Theory]
    // torchvision's model documentation (num_params of the ImageNet weights).
    [InlineData("resnet18", 11_689_512)]
    [InlineData("vgg16", 138_357_544)]
    [InlineData("alexnet", 61_100_840)]
    // The usual CIFAR variants (10 classes): ResNet-18 with a 3x3 stem, VGG-16 with batch norm and one linear layer.
    [InlineData("resnet18_cifar", 11_173_962)]
    [InlineData("vgg16_cifar", 14_728_266)]
    // By hand at 1x28x28, 10 classes. MLP: 784*256+256 + 256*128+128 + 128*10+10. LeNet: conv 1*32*25 + bn 2*32 +
    // conv 32*64*25 + bn 2*64 + fc (64*7*7)*256+256 + fc 256*10+10 (convolutions without bias).
    [InlineData("mlp", 200_960 + 32_896 + 1_290)]
    [InlineData("lenet", 800 + 64 + 51_200 + 128 + 803_072 + 2_570)]
    public void Parameter_counts_at_the_default_shape(string name, long expected)
    {
        var spec = ModelZoo.Get(name);
        Assert.Equal(expected, ModelZoo.ParameterCount(spec, spec.DefaultShape));
        Assert.StartsWith($"{expected:N0} parameters{(spec.IsImageNet ? " (" : ", ")}", ModelZoo.Catalog.Get(name).Facts); // multiply-adds for the small-input models
        using var after = zeros(1);
        Assert.Equal(TorchSharp.DeviceType.CPU, after.device_type);
    }

    [Fact]
    public void The_shape_binds_like_any_options_and_builds_the_model()
    {
        var shape = (ModelShape)ModelZoo.Catalog.Get("lenet").Bind(new Dictionary<string, string> { ["num_classes"] = "3", ["channels"] = "3", ["image_size"] = "32" });
        Assert.Equal(new ModelShape(3, 3, 32), shape);
        // fc 64*8*8*256+256 and head 256*3+3 change with the shape; conv1 takes 3 channels: 3*32*25.
        Assert.Equal(2_400 + 64 + 51_200 + 128 + 1_048_832 + 771, ModelZoo.ParameterCount(ModelZoo.Get("lenet"), shape));
        using var model = ModelZoo.Catalog.Create("lenet", new Dictionary<string, string> { ["num_classes"] = "3", ["channels"] = "3", ["image_size"] = "32" });
        using var output = model.forward(zeros(2, 3, 32, 32));
        Assert.Equal([2L, 3], output.shape);
        Assert.Contains("parameter 'num_classes' must be at least 2",
            Assert.Throws<DeepscopeException>(() => ModelZoo.Catalog.Get("mlp").Bind(new Dictionary<string, string> { ["num_classes"] = "1" })).Message);
    }

    [Fact]
    public void List_models_shows_the_counts()
    {
        var (exit, stdout, _) = CliRunner.Run("list", "models");
        Assert.Equal(0, exit);
        Assert.Contains("11,689,512 parameters (1000 classes, 3x224x224)", stdout);
        // ResNet-18 for CIFAR: 0.56 G multiply-adds, the figure its papers quote.
        Assert.Contains("11,173,962 parameters, 555.4 M multiply-adds per image (10 classes, 3x32x32)", stdout);
        Assert.Equal(ModelZoo.Names.Count(), stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
