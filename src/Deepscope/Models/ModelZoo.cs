using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Models;

/// <summary>The input a classifier is built for: classes, channels and (square) image size.</summary>
public sealed record ModelShape(long NumClasses, long Channels, long ImageSize);

/// <summary>
/// A classifier architecture known by name. <see cref="HeadName"/> is the state-dict prefix of its last linear layer,
/// <see cref="FeatureCount"/> that layer's input width; <see cref="Channels"/> is fixed for torchvision's ImageNet models.
/// </summary>
public sealed record ModelSpec(string Name, string Description, string HeadName, Func<ModelShape, Module<Tensor, Tensor>> Create,
    long? Channels = null)
{
    /// <summary>True for torchvision's ImageNet architectures (pretrained weights exist; input normalised with ImageNet statistics).</summary>
    public bool IsTorchvision => Channels is not null;
}

/// <summary>
/// Classifier factories with torchvision-style names and defaults. (Not called <c>Models</c>: a type cannot share its
/// name with the <c>Deepscope.Models</c> namespace without breaking lookups inside <c>Deepscope</c>.)
/// </summary>
public static class ModelZoo
{
    /// <summary>A multi-layer perceptron on flattened images (default: 784-256-128-10 for MNIST).</summary>
    public static Mlp mlp(long inputSize = 784, long[]? hiddenSizes = null, long numClasses = 10) => new(inputSize, hiddenSizes ?? [256, 128], numClasses);

    /// <summary>The LeNet-style CNN (<see cref="LeNet"/>), by default for 1x28x28 MNIST.</summary>
    public static LeNet lenet(long numClasses = 10, long inChannels = 1, long imageSize = 28) => new(numClasses, inChannels, imageSize);

    /// <summary>ResNet-18 with the 3x3 stride-1 stem and no max-pool used for 32x32 images.</summary>
    public static CifarResNet resnet18_cifar(long numClasses = 10, long inChannels = 3) => new([2, 2, 2, 2], numClasses, inChannels);

    /// <summary>VGG-16 with batch norm and a single linear classifier, for 32x32 images.</summary>
    public static CifarVgg vgg16_cifar(long numClasses = 10, long inChannels = 3) => new(numClasses, inChannels);

    public static IReadOnlyList<ModelSpec> All { get; } =
    [
        new("mlp", "MLP 256-128 on flattened pixels", "head", s => mlp(s.Channels * s.ImageSize * s.ImageSize, null, s.NumClasses)),
        new("lenet", "LeNet-style CNN (2 conv + 2 fc, batch norm)", "fc2", s => lenet(s.NumClasses, s.Channels, s.ImageSize)),
        new("resnet18_cifar", "ResNet-18, 3x3 stem without max-pool, for 32x32", "fc", s => resnet18_cifar(s.NumClasses, s.Channels)),
        new("vgg16_cifar", "VGG-16 with batch norm, for 32x32", "classifier", s => vgg16_cifar(s.NumClasses, s.Channels)),
        new("resnet18", "torchvision ResNet-18 (ImageNet stem)", "fc", s => torchvision.models.resnet18((int)s.NumClasses), 3),
        new("resnet34", "torchvision ResNet-34", "fc", s => torchvision.models.resnet34((int)s.NumClasses), 3),
        new("resnet50", "torchvision ResNet-50", "fc", s => torchvision.models.resnet50((int)s.NumClasses), 3),
        new("vgg16", "torchvision VGG-16", "classifier.6", s => torchvision.models.vgg16((int)s.NumClasses), 3),
        new("vgg16_bn", "torchvision VGG-16 with batch norm", "classifier.6", s => torchvision.models.vgg16_bn((int)s.NumClasses), 3),
    ];

    public static IEnumerable<string> Names => All.Select(m => m.Name);

    public static ModelSpec Get(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new DeepscopeException($"unknown model '{name}'; known models: {string.Join(", ", Names)}");
}
