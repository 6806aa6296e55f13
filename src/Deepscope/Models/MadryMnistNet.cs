using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Models;

/// <summary>
/// The CNN of Madry et al.'s (2018) MNIST challenge: 5x5 convolutions of 32 and 64 channels (same padding), each
/// followed by ReLU and 2x2 max-pooling, a fully connected layer of 1024 and the linear classifier; no batch norm or
/// dropout. Keys: conv1, conv2, fc1, fc2.
/// </summary>
public sealed class MadryMnistNet : Module<Tensor, Tensor>, IClassifierWithHead
{
    readonly Module<Tensor, Tensor> conv1; // not Conv2d: the trainer puts a RoutedConv2d in its place
    readonly Module<Tensor, Tensor> conv2;
    readonly Linear fc1;
    readonly Linear fc2;

    public MadryMnistNet(long numClasses = 10, long inChannels = 1, long imageSize = 28) : base(nameof(MadryMnistNet))
    {
        if (imageSize % 4 != 0 || imageSize < 8) throw new ArgumentException($"the Madry MNIST CNN needs an image size divisible by 4 and >= 8, got {imageSize}");
        conv1 = Conv2d(inChannels, 32, 5, padding: 2);
        conv2 = Conv2d(32, 64, 5, padding: 2);
        fc1 = Linear(64 * (imageSize / 4) * (imageSize / 4), 1024);
        fc2 = Linear(1024, numClasses);
        RegisterComponents();
    }

    public string HeadName => "fc2";
    public long FeatureCount => 1024;

    public Tensor Features(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.max_pool2d(functional.relu(conv1.forward(input)), 2);
        x = functional.max_pool2d(functional.relu(conv2.forward(x)), 2);
        return functional.relu(fc1.forward(x.flatten(1))).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        using var features = Features(input);
        return fc2.forward(features);
    }
}
