using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Models;

/// <summary>
/// A model whose last layer is a linear classifier over a feature vector: fine-tuning replaces <see cref="HeadName"/>
/// and linear probes train on <see cref="Features"/>.
/// </summary>
public interface IClassifierWithHead
{
    /// <summary>State-dict prefix of the last linear layer (e.g. "fc").</summary>
    string HeadName { get; }
    /// <summary>The input of the last layer, (N, FeatureCount).</summary>
    Tensor Features(Tensor input);
    long FeatureCount { get; }
}

/// <summary>
/// Flatten, then Linear-ReLU for each hidden size, then a Linear classifier (optional dropout on its input). Keys:
/// layers.{i}.weight.
/// </summary>
public sealed class Mlp : Module<Tensor, Tensor>, IClassifierWithHead
{
    readonly Sequential body;
    readonly Dropout? dropout;
    readonly Linear head;

    public Mlp(long inputSize, IReadOnlyList<long> hiddenSizes, long numClasses, double dropoutRate = 0) : base(nameof(Mlp))
    {
        if (inputSize < 1 || numClasses < 2 || hiddenSizes.Any(h => h < 1))
            throw new ArgumentException($"MLP sizes must be positive and numClasses >= 2 (input {inputSize}, hidden [{string.Join(",", hiddenSizes)}], classes {numClasses})");
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        long width = inputSize;
        foreach (var h in hiddenSizes)
        {
            layers.Add(($"{layers.Count}", Linear(width, h)));
            layers.Add(($"{layers.Count}", ReLU(inplace: true)));
            width = h;
        }
        body = Sequential(layers);
        if (dropoutRate > 0) dropout = Dropout(dropoutRate);
        head = Linear(width, numClasses);
        FeatureCount = width;
        RegisterComponents();
    }

    public string HeadName => "head";
    public long FeatureCount { get; }
    public Tensor Features(Tensor input) => body.forward(input.flatten(1));
    public override Tensor forward(Tensor input)
    {
        using var features = Features(input);
        if (dropout is null) return head.forward(features);
        using var dropped = dropout.forward(features);
        return head.forward(dropped);
    }
}

/// <summary>
/// LeNet-style CNN (as in PyTorch's MNIST example, with batch norm): conv5x5(32)-BN-ReLU-pool, conv5x5(64)-BN-ReLU-pool,
/// fc(hidden)-ReLU-dropout, fc(classes). Works on any input size divisible by 4 (28x28 MNIST, 32x32 CIFAR).
/// </summary>
public sealed class LeNet : Module<Tensor, Tensor>, IClassifierWithHead
{
    // Declared in forward order: fine-tuning counts and freezes blocks in registration order.
    readonly Module<Tensor, Tensor> conv1;
    readonly Module<Tensor, Tensor> bn1; // not BatchNorm2d: inference folds it into the convolution (BatchNormFolding)
    readonly Module<Tensor, Tensor> conv2;
    readonly Module<Tensor, Tensor> bn2;
    readonly Linear fc1;
    readonly Dropout dropout;
    readonly Linear fc2;

    public LeNet(long numClasses = 10, long inChannels = 1, long imageSize = 28, long hidden = 256, double dropoutRate = 0.25) : base(nameof(LeNet))
    {
        if (imageSize % 4 != 0 || imageSize < 8) throw new ArgumentException($"LeNet needs an image size divisible by 4 and >= 8, got {imageSize}");
        conv1 = Conv2d(inChannels, 32, 5, padding: 2, bias: false);
        bn1 = BatchNorm2d(32);
        conv2 = Conv2d(32, 64, 5, padding: 2, bias: false);
        bn2 = BatchNorm2d(64);
        fc1 = Linear(64 * (imageSize / 4) * (imageSize / 4), hidden);
        dropout = Dropout(dropoutRate);
        fc2 = Linear(hidden, numClasses);
        FeatureCount = hidden;
        RegisterComponents();
    }

    public string HeadName => "fc2";
    public long FeatureCount { get; }

    public Tensor Features(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.max_pool2d(functional.relu(bn1.forward(conv1.forward(input))), 2);
        x = functional.max_pool2d(functional.relu(bn2.forward(conv2.forward(x))), 2);
        x = dropout.forward(functional.relu(fc1.forward(x.flatten(1))));
        return x.MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        using var features = Features(input);
        return fc2.forward(features);
    }
}
