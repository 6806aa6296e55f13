using Deepscope.Models.Pretrained;
using Deepscope.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Deepscope.Tests.Training;

public class ModelTests
{
    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    [Fact]
    public void CifarResNet18HasTheKnownSizeAndTorchvisionKeys()
    {
        using var model = ModelZoo.resnet18_cifar(numClasses: 10);
        // 11,173,962: the CIFAR ResNet-18 size (torchvision's layers + 3x3 stem + 512x10 fc).
        Assert.Equal(11_173_962, Count(model));
        using var reference = torchvision.models.resnet18(num_classes: 10);
        var ours = model.state_dict();
        var theirs = reference.state_dict();
        Assert.Equal(theirs.Keys.Order(), ours.Keys.Order());
        foreach (var key in ours.Keys.Where(k => k != "conv1.weight"))
            Assert.Equal(theirs[key].shape, ours[key].shape);
        Assert.Equal(new long[] { 64, 3, 3, 3 }, ours["conv1.weight"].shape);
        using var x = randn(2, 3, 32, 32);
        using var y = model.forward(x);
        Assert.Equal(new long[] { 2, 10 }, y.shape);
    }

    [Fact]
    public void CifarVgg16HasTheKnownSize()
    {
        using var model = ModelZoo.vgg16_cifar(numClasses: 10);
        // 14,714,688 conv + 8,448 batch-norm + 5,130 classifier parameters.
        Assert.Equal(14_728_266, Count(model));
        Assert.Contains("features.41.running_var", model.state_dict().Keys);
        using var x = randn(2, 3, 32, 32);
        using var y = model.forward(x);
        Assert.Equal(new long[] { 2, 10 }, y.shape);
    }

    [Fact]
    public void LeNetAndMlpClassifyMnistShapedInput()
    {
        using var lenet = ModelZoo.lenet();
        using var mlp = ModelZoo.mlp();
        using var x = randn(3, 1, 28, 28);
        using var a = lenet.forward(x);
        using var b = mlp.forward(x);
        Assert.Equal(new long[] { 3, 10 }, a.shape);
        Assert.Equal(new long[] { 3, 10 }, b.shape);
        Assert.Equal(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10, Count(mlp));
        using var features = lenet.Features(x);
        Assert.Equal(new long[] { 3, lenet.FeatureCount }, features.shape);
    }

    [Fact]
    public void ZooKnowsNamesAndExplainsUnknownOnes()
    {
        Assert.Equal("fc", ModelZoo.Get("ResNet18").HeadName);
        var e = Assert.Throws<DeepscopeException>(() => ModelZoo.Get("googlenet"));
        Assert.Contains("lenet", e.Message);
    }

    [Fact]
    public void One_registry_serves_training_and_pretrained_features()
    {
        Assert.Equal(ModelZoo.All.Where(m => m.IsTorchvision).Select(m => m.Name), Deepscope.Models.Pretrained.CnnModels.Names);
        using var model = Deepscope.Models.Pretrained.CnnModels.Create("resnet18", 7);
        var head = model.state_dict()[Deepscope.Models.Pretrained.CnnModels.HeadWeightKey("resnet18")];
        Assert.Equal(new long[] { 7, 512 }, head.shape);
        Assert.Equal("classifier.6.weight", Deepscope.Models.Pretrained.CnnModels.HeadWeightKey("alexnet"));
    }

    [Fact]
    public void PretrainedWeightsLoadByKeySkippingTheHead()
    {
        using var dir = new Support.TempDir();
        var path = dir.File("lenet.pth");
        random.manual_seed(1);
        using var source = ModelZoo.lenet();
        TorchSharp.PyBridge.PyBridgeModuleExtensions.save_py(source, path);
        random.manual_seed(2);
        using var target = ModelZoo.lenet(numClasses: 5);
        StateDictFile.Load(target, path, "lenet", skipPrefix: "fc2");
        var s = source.state_dict();
        var t = target.state_dict();
        Assert.True(TinyData.Same(s["conv1.weight"], t["conv1.weight"]));
        Assert.True(TinyData.Same(s["bn2.running_var"], t["bn2.running_var"]));
        Assert.Equal(new long[] { 5, 256 }, t["fc2.weight"].shape);

        using var mlp = ModelZoo.mlp();
        var mlpPath = dir.File("mlp.pth");
        TorchSharp.PyBridge.PyBridgeModuleExtensions.save_py(mlp, mlpPath);
        var e = Assert.Throws<InvalidDataFileException>(() => StateDictFile.Load(target, mlpPath, "lenet", skipPrefix: "fc2"));
        Assert.Contains(mlpPath, e.Message);
        Assert.Contains("does not fit lenet: missing keys", e.Message);
        Assert.Contains("conv1.weight", e.Message);
    }
}
