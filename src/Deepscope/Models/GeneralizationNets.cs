using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Models;

/// <summary>
/// The small AlexNet of Zhang et al. (2017, appendix A), the TensorFlow CIFAR-10 tutorial network on 28x28x3 crops:
/// conv 5x5x64 - ReLU - max-pool 3x3/2 - LRN - conv 5x5x64 - ReLU - LRN - max-pool 3x3/2 - fc 384 - fc 192 - linear
/// classes. TensorFlow's SAME padding is reproduced exactly (convolutions pad 2; pools pad on the right/bottom only,
/// which is ceil mode), so 28 -> 14 -> 7 and the network has 1,387,786 parameters for 10 classes, as in the paper.
/// LRN is TF's <c>lrn(depth_radius=4, bias=1, alpha=0.001/9, beta=0.75)</c>: PyTorch's size 9, alpha 0.001.
/// Optional dropout acts on the 192 features before the last layer.
/// </summary>
public sealed class AlexNetSmall : Module<Tensor, Tensor>, IClassifierWithHead
{
    readonly Module<Tensor, Tensor> conv1, conv2; // not Conv2d: the trainer routes convolutions (RoutedConv2d)
    readonly LocalResponseNormalization norm1, norm2;
    readonly Linear fc1, fc2;
    readonly Dropout? dropout;
    readonly Linear head;

    public AlexNetSmall(long numClasses = 10, long inChannels = 3, long imageSize = 28, double dropoutRate = 0) : base(nameof(AlexNetSmall))
    {
        conv1 = Conv2d(inChannels, 64, 5, padding: 2);
        norm1 = new LocalResponseNormalization(9, alpha: 0.001, beta: 0.75, k: 1);
        conv2 = Conv2d(64, 64, 5, padding: 2);
        norm2 = new LocalResponseNormalization(9, alpha: 0.001, beta: 0.75, k: 1);
        long pooled = PooledSize(PooledSize(imageSize));
        fc1 = Linear(64 * pooled * pooled, 384);
        fc2 = Linear(384, 192);
        if (dropoutRate > 0) dropout = Dropout(dropoutRate);
        head = Linear(192, numClasses);
        RegisterComponents();
    }

    /// <summary>The output size of TF's SAME 3x3/2 max-pool: ceil(n / 2).</summary>
    static long PooledSize(long n) => (n + 1) / 2;

    static Tensor Pool(Tensor x) => functional.max_pool2d(x, 3, 2, ceil_mode: true);

    public string HeadName => "head";
    public long FeatureCount => 192;

    public Tensor Features(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = norm1.forward(Pool(functional.relu(conv1.forward(input), inplace: true)));
        x = Pool(norm2.forward(functional.relu(conv2.forward(x), inplace: true)));
        x = functional.relu(fc1.forward(x.flatten(1)), inplace: true);
        x = functional.relu(fc2.forward(x), inplace: true);
        return (dropout is null ? x : dropout.forward(x)).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        using var features = Features(input);
        return head.forward(features);
    }
}

/// <summary>
/// Zhang et al.'s conv module: convolution, batch norm, ReLU. With batch norm the convolution has no bias and the norm
/// learns only a shift (TF's <c>batch_norm(scale=False)</c> default); without it the convolution has a bias. Either way
/// a module has one parameter per output channel beyond its weights, which is why the paper's Inception has 1,649,402
/// parameters with and without batch norm.
/// </summary>
sealed class ConvModule : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> conv; // not Conv2d: the trainer routes convolutions (RoutedConv2d)
    readonly Module<Tensor, Tensor>? bn; // not BatchNorm2d: inference folds it into the convolution (BatchNormFolding)
    readonly Parameter? shift;

    public ConvModule(long inChannels, long outChannels, long kernel, long stride, bool batchNorm) : base(nameof(ConvModule))
    {
        conv = Conv2d(inChannels, outChannels, kernel, stride: stride, padding: stride == 1 ? kernel / 2 : 0, bias: !batchNorm);
        if (batchNorm)
        {
            bn = BatchNorm2d(outChannels, affine: false);
            shift = Parameter(zeros(outChannels));
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = conv.forward(input);
        if (bn is not null) x = bn.forward(x).add_(shift!.view(1, -1, 1, 1));
        return functional.relu(x, inplace: true).MoveToOuterDisposeScope();
    }
}

/// <summary>Inception module: a 1x1 and a 3x3 conv module side by side, concatenated along channels.</summary>
sealed class InceptionModule : Module<Tensor, Tensor>
{
    readonly ConvModule branch1, branch3;

    public InceptionModule(long inChannels, long channels1, long channels3, bool batchNorm) : base(nameof(InceptionModule))
    {
        branch1 = new ConvModule(inChannels, channels1, 1, 1, batchNorm);
        branch3 = new ConvModule(inChannels, channels3, 3, 1, batchNorm);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var a = branch1.forward(input);
        using var b = branch3.forward(input);
        return cat([a, b], 1);
    }
}

/// <summary>Downsample module: a 3x3 stride-2 conv module beside a 3x3 stride-2 max-pool (both VALID), concatenated.</summary>
sealed class DownsampleModule : Module<Tensor, Tensor>
{
    readonly ConvModule conv;

    public DownsampleModule(long inChannels, long channels, bool batchNorm) : base(nameof(DownsampleModule))
    {
        conv = new ConvModule(inChannels, channels, 3, 2, batchNorm);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var a = conv.forward(input);
        using var b = functional.max_pool2d(input, 3, 2);
        return cat([a, b], 1);
    }
}

/// <summary>
/// The small Inception of Zhang et al. (2017, appendix figure 3) for 28x28x3 crops: conv 3x3x96, inception (32, 32),
/// (32, 48), downsample 80, inception (112, 48), (96, 64), (80, 80), (48, 96), downsample 96, inception (176, 160) twice,
/// global mean pool, linear classes. 28 -> 13 -> 6 spatially; 1,649,402 parameters for 10 classes with or without
/// batch norm (see <see cref="ConvModule"/>). Optional dropout acts on the 336 pooled features.
/// </summary>
public sealed class InceptionSmall : Module<Tensor, Tensor>, IClassifierWithHead
{
    readonly Sequential features;
    readonly Dropout? dropout;
    readonly Linear head;

    public InceptionSmall(long numClasses = 10, long inChannels = 3, bool batchNorm = true, double dropoutRate = 0) : base(nameof(InceptionSmall))
    {
        var layers = new List<(string, Module<Tensor, Tensor>)> { ("stem", new ConvModule(inChannels, 96, 3, 1, batchNorm)) };
        long channels = 96;
        void Inception(long c1, long c3) { layers.Add(($"{layers.Count}", new InceptionModule(channels, c1, c3, batchNorm))); channels = c1 + c3; }
        void Downsample(long c) { layers.Add(($"{layers.Count}", new DownsampleModule(channels, c, batchNorm))); channels += c; }
        Inception(32, 32); Inception(32, 48); Downsample(80);
        Inception(112, 48); Inception(96, 64); Inception(80, 80); Inception(48, 96); Downsample(96);
        Inception(176, 160); Inception(176, 160);
        features = Sequential(layers);
        FeatureCount = channels;
        if (dropoutRate > 0) dropout = Dropout(dropoutRate);
        head = Linear(channels, numClasses);
        RegisterComponents();
    }

    public string HeadName => "head";
    public long FeatureCount { get; }

    public Tensor Features(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = features.forward(input).mean([2, 3]);
        return (dropout is null ? x : dropout.forward(x)).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        using var f = Features(input);
        return head.forward(f);
    }
}

/// <summary>
/// A family of CNNs indexed by width k, for model-complexity sweeps (Poggio et al. 2018): four 3x3 conv-BN-ReLU layers
/// of k, k, 2k, 2k channels with a 2x2 max-pool after the second and the fourth, global mean pool, linear classes.
/// Parameters grow as about 63 k^2: k = 2 ... 64 spans more than two orders of magnitude. Without batch norm each
/// convolution has a bias instead.
/// </summary>
public sealed class WidthCnn : Module<Tensor, Tensor>, IClassifierWithHead
{
    readonly Sequential features;
    readonly Linear head;

    public WidthCnn(long width, long numClasses = 10, long inChannels = 3, bool batchNorm = true) : base(nameof(WidthCnn))
    {
        if (width < 1) throw new ArgumentException($"width must be positive, got {width}");
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        long channels = inChannels;
        foreach (var (c, pool) in new[] { (width, false), (width, true), (2 * width, false), (2 * width, true) })
        {
            layers.Add(($"{layers.Count}", Conv2d(channels, c, 3, padding: 1, bias: !batchNorm)));
            if (batchNorm) layers.Add(($"{layers.Count}", BatchNorm2d(c)));
            layers.Add(($"{layers.Count}", ReLU(inplace: true)));
            if (pool) layers.Add(($"{layers.Count}", MaxPool2d(2)));
            channels = c;
        }
        features = Sequential(layers);
        FeatureCount = channels;
        head = Linear(channels, numClasses);
        RegisterComponents();
    }

    public string HeadName => "head";
    public long FeatureCount { get; }

    public Tensor Features(Tensor input)
    {
        using var x = features.forward(input);
        return x.mean([2, 3]);
    }

    public override Tensor forward(Tensor input)
    {
        using var f = Features(input);
        return head.forward(f);
    }
}
