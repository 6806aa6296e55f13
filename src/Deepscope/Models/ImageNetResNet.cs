using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Models;

/// <summary>
/// torchvision's BasicBlock ResNet for ImageNet-sized input with any number of blocks per stage: the 7x7 stride-2 stem,
/// a 3x3 stride-2 max-pool, four stages (64, 128, 256, 512 channels), global average pool and an optional linear
/// classifier. Module names and state-dict keys are torchvision's (conv1, bn1, layer1.0.conv1, ..., fc), so
/// [2, 2, 2, 2] is resnet18 and [3, 4, 6, 3] resnet34; [2, 2, 2, 3] is the CNTK ResNet-18 shipped with ML.NET.
/// </summary>
public sealed class ImageNetResNet : Module<Tensor, Tensor>, IClassifierWithHead
{
    readonly Module<Tensor, Tensor> conv1; // not Conv2d: the trainer routes convolutions (RoutedConv2d)
    readonly Module<Tensor, Tensor> bn1; // not BatchNorm2d: inference folds it into the convolution (BatchNormFolding)
    readonly ReLU relu;
    readonly MaxPool2d maxpool;
    readonly Sequential layer1, layer2, layer3, layer4;
    readonly AdaptiveAvgPool2d avgpool;
    readonly Linear? fc;

    /// <param name="numClasses">Outputs of the classifier; 0 leaves it out, and the network returns its 512 pooled features.</param>
    public ImageNetResNet(long[] blocksPerStage, long numClasses = 1000, long inChannels = 3) : base(nameof(ImageNetResNet))
    {
        if (blocksPerStage.Length != 4 || blocksPerStage.Any(b => b < 1))
            throw new DeepscopeException($"a ResNet has four stages of at least one block each, got [{string.Join(", ", blocksPerStage)}]");
        conv1 = Conv2d(inChannels, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(64);
        relu = ReLU(inplace: true);
        maxpool = MaxPool2d(3, stride: 2, padding: 1);
        (layer1, layer2, layer3, layer4) = BasicBlock.Stages(blocksPerStage);
        avgpool = AdaptiveAvgPool2d(1);
        if (numClasses > 0) fc = Linear(512, numClasses);
        RegisterComponents();
        Initialization.HeNormalConvolutions(this);
    }

    public string HeadName => "fc";
    public long FeatureCount => 512;

    public Tensor Features(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = maxpool.forward(relu.forward(bn1.forward(conv1.forward(input))));
        x = layer4.forward(layer3.forward(layer2.forward(layer1.forward(x))));
        return avgpool.forward(x).flatten(1).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        if (fc is null) return Features(input);
        using var features = Features(input);
        return fc.forward(features);
    }
}
