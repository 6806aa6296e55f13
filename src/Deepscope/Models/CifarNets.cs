using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Models;

/// <summary>torchvision's BasicBlock (two 3x3 convolutions with batch norm and a shortcut); same state-dict keys.</summary>
sealed class BasicBlock : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> conv1, conv2; // not Conv2d: DcfConversion puts DCF convolutions here
    readonly Module<Tensor, Tensor> bn1, bn2; // not BatchNorm2d: inference folds it into the convolution (BatchNormFolding)
    readonly ReLU relu;
    readonly Sequential? downsample;

    public BasicBlock(long inPlanes, long planes, long stride) : base(nameof(BasicBlock))
    {
        conv1 = Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(planes);
        relu = ReLU(inplace: true);
        if (stride != 1 || inPlanes != planes)
            downsample = Sequential(Conv2d(inPlanes, planes, 1, stride: stride, bias: false), BatchNorm2d(planes));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = relu.forward(bn1.forward(conv1.forward(input)));
        x = bn2.forward(conv2.forward(x));
        x = x.add_(downsample is null ? input : downsample.forward(input));
        return relu.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// torchvision's four stages after a stem of <paramref name="width"/> channels (64 in torchvision): 1, 2, 4 and 8
    /// times that many channels, strides 1, 2, 2, 2.
    /// </summary>
    public static (Sequential, Sequential, Sequential, Sequential) Stages(long[] blocksPerStage, long width = 64)
    {
        long inPlanes = width;
        return (Stage(ref inPlanes, width, blocksPerStage[0], 1), Stage(ref inPlanes, 2 * width, blocksPerStage[1], 2),
            Stage(ref inPlanes, 4 * width, blocksPerStage[2], 2), Stage(ref inPlanes, 8 * width, blocksPerStage[3], 2));
    }

    /// <summary>A stage of <paramref name="blocks"/> blocks (keys "0", "1", ...), the first with the stride; updates the running width.</summary>
    static Sequential Stage(ref long inPlanes, long planes, long blocks, long stride)
    {
        var stage = new List<(string, Module<Tensor, Tensor>)>();
        for (long b = 0; b < blocks; b++)
        {
            stage.Add(($"{b}", new BasicBlock(inPlanes, planes, b == 0 ? stride : 1)));
            inPlanes = planes;
        }
        return Sequential(stage);
    }
}

/// <summary>
/// ResNet-18 for 32x32 images (He et al. 2016, sec. 4.2 style CIFAR stem): a 3x3 stride-1 stem and no max-pool, then
/// torchvision's four stages of BasicBlocks (64, 128, 256, 512 channels), global average pool and fc. State-dict keys
/// are torchvision's resnet18 keys (conv1, bn1, layer1.0.conv1, ..., fc); only conv1's shape differs.
/// </summary>
public sealed class CifarResNet : Module<Tensor, Tensor>, IClassifierWithHead
{
    readonly Module<Tensor, Tensor> conv1;
    readonly Module<Tensor, Tensor> bn1; // not BatchNorm2d: inference folds it into the convolution (BatchNormFolding)
    readonly Sequential layer1, layer2, layer3, layer4;
    readonly Linear fc;

    /// <param name="width">channels of the first stage (64 in ResNet-18); the stages have 1, 2, 4 and 8 times as many.</param>
    public CifarResNet(long[] blocksPerStage, long numClasses = 10, long inChannels = 3, long width = 64) : base(nameof(CifarResNet))
    {
        conv1 = Conv2d(inChannels, width, 3, padding: 1, bias: false);
        bn1 = BatchNorm2d(width);
        (layer1, layer2, layer3, layer4) = BasicBlock.Stages(blocksPerStage, width);
        FeatureCount = 8 * width;
        fc = Linear(FeatureCount, numClasses);
        RegisterComponents();
        Initialization.HeNormalConvolutions(this);
    }

    public string HeadName => "fc";
    public long FeatureCount { get; }

    public Tensor Features(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.relu(bn1.forward(conv1.forward(input)), inplace: true);
        x = layer4.forward(layer3.forward(layer2.forward(layer1.forward(x))));
        return x.mean([2, 3]).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        using var features = Features(input);
        return fc.forward(features);
    }
}

/// <summary>
/// VGG-16 with batch norm for 32x32 images: torchvision's vgg16_bn feature stack (keys features.0 ... features.43),
/// which leaves 512x1x1 after five pools, and one linear classifier (key "classifier") as in the usual CIFAR VGGs.
/// </summary>
public sealed class CifarVgg : Module<Tensor, Tensor>, IClassifierWithHead
{
    /// <summary>Configuration "D" of Simonyan and Zisserman (2015); 0 is a 2x2 max-pool.</summary>
    static readonly int[] Vgg16 = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0];

    readonly Sequential features;
    readonly Linear classifier;

    public CifarVgg(long numClasses = 10, long inChannels = 3) : base(nameof(CifarVgg))
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        long channels = inChannels;
        foreach (var width in Vgg16)
        {
            if (width == 0) { layers.Add(($"{layers.Count}", MaxPool2d(2))); continue; }
            layers.Add(($"{layers.Count}", Conv2d(channels, width, 3, padding: 1)));
            layers.Add(($"{layers.Count}", BatchNorm2d(width)));
            layers.Add(($"{layers.Count}", ReLU(inplace: true)));
            channels = width;
        }
        features = Sequential(layers);
        classifier = Linear(512, numClasses);
        RegisterComponents();
        Initialization.HeNormalConvolutions(this);
    }

    public string HeadName => "classifier";
    public long FeatureCount => 512;

    public Tensor Features(Tensor input)
    {
        using var x = features.forward(input);
        return x.flatten(1);
    }

    public override Tensor forward(Tensor input)
    {
        using var f = Features(input);
        return classifier.forward(f);
    }
}

static class Initialization
{
    [ThreadStatic] static bool _weightsFollow;

    /// <summary>
    /// Until disposed, <see cref="HeNormalConvolutions"/> does nothing on this thread: for models whose weights are
    /// loaded right after construction, which would overwrite the draws (a ResNet-18 draws 11 M normal numbers).
    /// </summary>
    public static IDisposable SkippedForLoadedWeights()
    {
        bool previous = _weightsFollow;
        _weightsFollow = true;
        return new Scope(() => _weightsFollow = previous);
    }

    sealed class Scope(Action end) : IDisposable
    {
        public void Dispose() => end();
    }

    /// <summary>torchvision's CNN initialisation: Kaiming normal (fan_out, ReLU) convolutions, batch norm 1 and 0.</summary>
    public static void HeNormalConvolutions(Module module)
    {
        if (_weightsFollow) return;
        using var _ = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            if (m is Conv2d conv)
            {
                init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
                if (conv.bias is not null) init.zeros_(conv.bias);
            }
            else if (m is BatchNorm2d bn)
            {
                init.ones_(bn.weight);
                init.zeros_(bn.bias);
            }
        }
    }
}
