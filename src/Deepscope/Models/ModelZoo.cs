using Deepscope.Catalogs;
using Deepscope.Models.Onnx;
using Deepscope.Training;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Models;

/// <summary>The input a classifier is built for: classes, channels and (square) image size.</summary>
public sealed record ModelShape(
    [property: Param(Min = 2, Description = "classes of the last layer")] long NumClasses,
    [property: Param(Min = 1, Description = "input channels (3 for torchvision's architectures)")] long Channels,
    [property: Param(Min = 8, Description = "input height and width")] long ImageSize);

/// <summary>
/// A classifier architecture known by name. <see cref="HeadName"/> is the state-dict prefix of its last linear layer;
/// <see cref="OfficialWeights"/> names torchvision's ImageNet weight file for torchvision's architectures;
/// <see cref="Bundled"/> holds ImageNet weights that ship with Deepscope (no weight file needed).
/// </summary>
public sealed record ModelSpec(string Name, string Description, string HeadName, Func<ModelShape, Module<Tensor, Tensor>> Create,
    string? OfficialWeights = null)
{
    public BundledWeights? Bundled { get; init; }
    /// <summary>True for torchvision's ImageNet architectures (pretrained weights exist; input normalised with ImageNet statistics).</summary>
    public bool IsTorchvision => OfficialWeights is not null;
    /// <summary>True for an ImageNet architecture: torchvision's, or one with bundled weights.</summary>
    public bool IsImageNet => IsTorchvision || Bundled is not null;
    /// <summary>The input normalisation of the pretrained weights: the bundled weights' own, else torchvision's ImageNet statistics.</summary>
    public InputNormalization Normalization => Bundled?.Normalization() ?? InputNormalization.ImageNet;
    /// <summary>Input channels fixed by the architecture (3 for torchvision's), or null when the shape decides.</summary>
    public long? Channels => IsImageNet ? 3 : null;
    /// <summary>The input the architecture was designed for: ImageNet's for torchvision's, CIFAR's otherwise.</summary>
    public ModelShape DefaultShape { get; init; } = OfficialWeights is null ? new(10, 3, 32) : new(1000, 3, 224);

    /// <summary>The input preparation the architecture is defined with (a paper's crop and standardisation), or null: the training set's statistics.</summary>
    public InputTransform? Input { get; init; }

    /// <summary>Bundled ImageNet weights: an ImageNet-shaped architecture whose weights need no file.</summary>
    public ModelSpec(string name, string description, string headName, Func<ModelShape, Module<Tensor, Tensor>> create, BundledWeights bundled)
        : this(name, description, headName, create) => (Bundled, DefaultShape) = (bundled, new(1000, 3, 224));
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
        new("mlp", "MLP 256-128 on flattened pixels", "head", s => mlp(s.Channels * s.ImageSize * s.ImageSize, null, s.NumClasses)) { DefaultShape = Mnist },
        new("lenet", "LeNet-style CNN (2 conv + 2 fc, batch norm)", "fc2", s => lenet(s.NumClasses, s.Channels, s.ImageSize)) { DefaultShape = Mnist },
        new("madry-mnist", "CNN of Madry et al.'s MNIST challenge (2 conv 32/64 + fc 1024, no batch norm)", "fc2", s => new MadryMnistNet(s.NumClasses, s.Channels, s.ImageSize)) { DefaultShape = Mnist },
        new("resnet18_cifar", "ResNet-18, 3x3 stem without max-pool, for 32x32", "fc", s => resnet18_cifar(s.NumClasses, s.Channels)),
        new("vgg16_cifar", "VGG-16 with batch norm, for 32x32", "classifier", s => vgg16_cifar(s.NumClasses, s.Channels)),
        // Zhang et al. (2017): 28x28 centre crops, each image standardised; parameter counts as in the paper's Table 1.
        new("inception-small", "small Inception of Zhang et al. 2017, batch norm", "head", s => new InceptionSmall(s.NumClasses, s.Channels)) { DefaultShape = PaperCifar, Input = PaperInput },
        new("inception-small-no-bn", "small Inception of Zhang et al. 2017, without batch norm", "head", s => new InceptionSmall(s.NumClasses, s.Channels, batchNorm: false)) { DefaultShape = PaperCifar, Input = PaperInput },
        new("alexnet-small", "small AlexNet of Zhang et al. 2017 (TF CIFAR-10 tutorial net, LRN)", "head", s => new AlexNetSmall(s.NumClasses, s.Channels, s.ImageSize)) { DefaultShape = PaperCifar, Input = PaperInput },
        new("mlp-1x512", "MLP with one hidden layer of 512 (Zhang et al. 2017)", "head", s => mlp(s.Channels * s.ImageSize * s.ImageSize, [512], s.NumClasses)) { DefaultShape = PaperCifar, Input = PaperInput },
        new("mlp-3x512", "MLP with three hidden layers of 512 (Zhang et al. 2017)", "head", s => mlp(s.Channels * s.ImageSize * s.ImageSize, [512, 512, 512], s.NumClasses)) { DefaultShape = PaperCifar, Input = PaperInput },
        new("dcf-lenet", "LeNet, 5x5 convolutions over 3 Fourier-Bessel bases (DCFNet; --dcf-k)", "fc2", s => Dcf.DcfNetworks.Convert(lenet(s.NumClasses, s.Channels, s.ImageSize))) { DefaultShape = Mnist },
        new("dcf-resnet18", "resnet18_cifar, 3x3 convolutions over 3 Fourier-Bessel bases (DCFNet; --dcf-k)", "fc", s => Dcf.DcfNetworks.Convert(resnet18_cifar(s.NumClasses, s.Channels))),
        new("dcf-vgg16", "vgg16_cifar, 3x3 convolutions over 3 Fourier-Bessel bases (DCFNet; --dcf-k)", "classifier", s => Dcf.DcfNetworks.Convert(vgg16_cifar(s.NumClasses, s.Channels))),
        // torchvision's ImageNet architectures (TorchSharp's TorchVision ports: the same state-dict keys and shapes).
        new("resnet18", "torchvision ResNet-18 (ImageNet stem)", "fc", s => torchvision.models.resnet18((int)s.NumClasses), "resnet18-f37072fd.pth"),
        new("resnet34", "torchvision ResNet-34", "fc", s => torchvision.models.resnet34((int)s.NumClasses), "resnet34-b627a593.pth"),
        new("resnet50", "torchvision ResNet-50", "fc", s => torchvision.models.resnet50((int)s.NumClasses), "resnet50-0676ba61.pth"),
        new("vgg11", "torchvision VGG-11", "classifier.6", s => torchvision.models.vgg11((int)s.NumClasses), "vgg11-8a719046.pth"),
        new("vgg11_bn", "torchvision VGG-11 with batch norm", "classifier.6", s => torchvision.models.vgg11_bn((int)s.NumClasses), "vgg11_bn-6002323d.pth"),
        new("vgg13", "torchvision VGG-13", "classifier.6", s => torchvision.models.vgg13((int)s.NumClasses), "vgg13-19584684.pth"),
        new("vgg13_bn", "torchvision VGG-13 with batch norm", "classifier.6", s => torchvision.models.vgg13_bn((int)s.NumClasses), "vgg13_bn-abd245e5.pth"),
        new("vgg16", "torchvision VGG-16", "classifier.6", s => torchvision.models.vgg16((int)s.NumClasses), "vgg16-397923af.pth"),
        new("vgg16_bn", "torchvision VGG-16 with batch norm", "classifier.6", s => torchvision.models.vgg16_bn((int)s.NumClasses), "vgg16_bn-6c64b313.pth"),
        new("vgg19", "torchvision VGG-19", "classifier.6", s => torchvision.models.vgg19((int)s.NumClasses), "vgg19-dcbb9e9d.pth"),
        new("vgg19_bn", "torchvision VGG-19 with batch norm", "classifier.6", s => torchvision.models.vgg19_bn((int)s.NumClasses), "vgg19_bn-c79401a0.pth"),
        new("alexnet", "torchvision AlexNet", "classifier.6", s => torchvision.models.alexnet((int)s.NumClasses), "alexnet-owt-7be5be79.pth"),
        new("resnet18-cntk", "ImageNet ResNet-18 of ML.NET (CNTK, layer4 of 3 blocks), weights bundled: no --weights", "fc",
            s => new ImageNetResNet(CntkResNet18.BlocksPerStage, s.NumClasses, s.Channels), CntkResNet18.Weights),
    ];

    static ModelShape Mnist => new(10, 1, 28);
    static ModelShape PaperCifar => new(10, 3, 28);
    static InputTransform PaperInput => InputTransform.CentreCropPerImage(28);

    public static IEnumerable<string> Names => All.Select(m => m.Name);

    /// <summary>The architectures as a catalog: options are the input shape, facts the parameter count at the default shape.</summary>
    public static Catalog<Module<Tensor, Tensor>> Catalog { get; } = All.Aggregate(new Catalog<Module<Tensor, Tensor>>("model"),
        (catalog, spec) => catalog.Add(spec.Name, spec.Description, () => spec.DefaultShape, spec.Create, () => Facts(spec)));

    static readonly Lock MetaGate = new();

    /// <summary>
    /// Trainable parameters of <paramref name="spec"/> built for <paramref name="shape"/>, as torchvision counts them
    /// (<c>sum(p.numel() for p in model.parameters())</c>). The model is built on the meta device, which allocates no
    /// storage and skips the random initialisation (VGG-16 would otherwise fill 553 MB). The default device is
    /// process-wide while this runs: do not create tensors on other threads meanwhile.
    /// </summary>
    public static long ParameterCount(ModelSpec spec, ModelShape shape) => OnMeta(() =>
    {
        using var model = spec.Create(shape);
        return model.parameters().Sum(p => p.numel());
    });

    /// <summary>
    /// Forward multiply-adds per image of <paramref name="spec"/> at <paramref name="shape"/>, as thop and fvcore count
    /// them (every kernel tap at every output position; linear layers once), from one forward pass of one image (libtorch
    /// has no convolution on the meta device, so the model is built for real).
    /// </summary>
    public static long MacsPerImage(ModelSpec spec, ModelShape shape)
    {
        using var scope = NewDisposeScope();
        using var model = spec.Create(shape);
        RoutedConv2d.RouteConvolutions(model);
        model.eval();
        using var input = empty(1, shape.Channels, shape.ImageSize, shape.ImageSize);
        var calls = Training.Throughput.TrainingThroughput.RecordConvolutions(model, input);
        return Training.Throughput.TrainingThroughput.MacsPerImage(model, calls, 1, c => c.MacsPerImage);
    }

    static T OnMeta<T>(Func<T> count)
    {
        lock (MetaGate)
        {
            var previous = get_default_device();
            try
            {
                set_default_device(new Device(DeviceType.META));
                return count();
            }
            finally { set_default_device(previous); }
        }
    }

    /// <summary>Parameters, and multiply-adds for the small-input models (building an ImageNet model for real to count them takes seconds).</summary>
    static string Facts(ModelSpec spec)
    {
        var s = spec.DefaultShape;
        var macs = spec.IsImageNet ? "" : string.Format(CultureInfo.InvariantCulture, ", {0:N1} M multiply-adds per image", MacsPerImage(spec, s) / 1e6);
        return string.Format(CultureInfo.InvariantCulture, "{0:N0} parameters{4} ({1} classes, {2}x{3}x{3})", ParameterCount(spec, s), s.NumClasses, s.Channels, s.ImageSize, macs);
    }

    public static ModelSpec Get(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)) ?? Dcf.DcfNetworks.Find(name)
        ?? throw new DeepscopeException($"unknown model '{name}'; known models: {string.Join(", ", Names)}");
}
