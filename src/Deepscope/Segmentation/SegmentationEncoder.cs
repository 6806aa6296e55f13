using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Segmentation;

/// <summary>
/// The encoder of an <see cref="EncoderDecoder"/>: feature maps at increasing strides (finest first) that the decoder
/// upsamples and joins. <see cref="Radius"/> bounds how far from an input pixel its deepest features look, which is
/// what overlap-tile prediction needs for its margins.
/// </summary>
public abstract class SegmentationEncoder(string name) : Module(name)
{
    /// <summary>Channels of the input image.</summary>
    public long InputChannels { get; protected init; } = 1;
    /// <summary>Channels of each feature level, finest first.</summary>
    public abstract long[] Channels { get; }
    /// <summary>Stride (input pixels per feature pixel) of each level, finest first; each is twice the one before.</summary>
    public abstract int[] Strides { get; }
    /// <summary>A bound on the receptive-field radius of the deepest level, in input pixels.</summary>
    public abstract int Radius { get; }
    /// <summary>The feature maps of an input (N, C, H, W) whose sides are multiples of the deepest stride.</summary>
    public abstract Tensor[] Features(Tensor input);

    /// <summary>
    /// Copies torchvision ImageNet weights (a .pth or .safetensors of the whole classifier) into the encoder's layers;
    /// for grey input the first convolution's RGB filters are summed over their channels (a grey image seen as three
    /// equal channels). Only the torchvision encoders have such weights.
    /// </summary>
    public void LoadImageNet(string path)
    {
        var state = Models.Pretrained.StateDictFile.Read(path);
        Tensor? grey = null;
        try
        {
            var mine = ImageNetKeys(state, path);
            using var _ = no_grad();
            var first = mine.First(kv => kv.Value.dim() == 4);
            if (InputChannels == 1 && first.Value.shape[1] == 3) mine[first.Key] = grey = first.Value.sum(1, keepdim: true);
            Models.Pretrained.StateDictFile.Apply(this, mine, path, GetName());
        }
        finally
        {
            grey?.Dispose();
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>The file's tensors under this encoder's own keys (the file holds more: the layers the encoder leaves out).</summary>
    protected virtual Dictionary<string, Tensor> ImageNetKeys(IReadOnlyDictionary<string, Tensor> state, string path) =>
        throw new DeepscopeException($"{GetName()} has no ImageNet weights (only the resnet18 and vgg16 encoders do)");

    /// <summary>3x3 convolution, batch norm, ReLU (stride 2 halves the size of an even input).</summary>
    internal static Sequential ConvBnRelu(long inChannels, long outChannels, long stride = 1) =>
        Sequential(Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false), BatchNorm2d(outChannels), ReLU());
}

/// <summary>
/// A bound on the receptive-field radius of a chain of layers: each layer of kernel k and stride s adds
/// ceil((k - 1) / 2) jumps and, for s > 1, s - 1 more (where the pooling grid sits), then multiplies the jump by s.
/// </summary>
public sealed class ReceptiveField
{
    public int Radius { get; private set; }
    public int Jump { get; private set; } = 1;

    public ReceptiveField Layer(int kernel, int stride = 1, int repeat = 1)
    {
        for (int i = 0; i < repeat; i++)
        {
            Radius += (kernel / 2 + stride - 1) * Jump;
            Jump *= stride;
        }
        return this;
    }
}

/// <summary>
/// ResNet-18's stem and first three stages as torchvision names them (conv1, bn1, layer1..layer3: torchvision's
/// state-dict keys, so ImageNet weights load by name): levels at strides 2, 4, 8, 16 with 64, 64, 128, 256 channels.
/// </summary>
public sealed class ResNet18Encoder : SegmentationEncoder
{
    readonly Module<Tensor, Tensor> conv1; // not Conv2d: DcfConversion may replace it
    readonly Module<Tensor, Tensor> bn1; // not BatchNorm2d: inference folds it into the convolution (BatchNormFolding)
    readonly ReLU relu;
    readonly MaxPool2d maxpool;
    readonly Sequential layer1, layer2, layer3;

    public ResNet18Encoder(long inChannels) : base(nameof(ResNet18Encoder))
    {
        InputChannels = inChannels;
        conv1 = Conv2d(inChannels, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(64);
        relu = ReLU();
        maxpool = MaxPool2d(3, stride: 2, padding: 1);
        (layer1, layer2, layer3, var layer4) = Models.BasicBlock.Stages([2, 2, 2, 2]);
        layer4.Dispose();
        RegisterComponents();
        Models.Initialization.HeNormalConvolutions(this);
    }

    public override long[] Channels => [64, 64, 128, 256];
    public override int[] Strides => [2, 4, 8, 16];
    public override int Radius => new ReceptiveField().Layer(7, 2).Layer(3, 2).Layer(3, repeat: 4)
        .Layer(3, 2).Layer(3, repeat: 3).Layer(3, 2).Layer(3, repeat: 3).Radius;

    protected override Dictionary<string, Tensor> ImageNetKeys(IReadOnlyDictionary<string, Tensor> state, string path)
    {
        var keys = state_dict().Keys.ToHashSet();
        return state.Where(kv => keys.Contains(kv.Key)).ToDictionary();
    }

    public override Tensor[] Features(Tensor input)
    {
        var f0 = relu.forward(bn1.forward(conv1.forward(input)));
        using var pooled = maxpool.forward(f0);
        var f1 = layer1.forward(pooled);
        var f2 = layer2.forward(f1);
        return [f0, f1, f2, layer3.forward(f2)];
    }
}

/// <summary>
/// VGG-16's first thirteen layers of convolutions up to conv4_3 (no batch norm, as torchvision's vgg16), split at its
/// max-pools: levels at strides 1, 2, 4, 8 with 64, 128, 256, 512 channels.
/// </summary>
public sealed class Vgg16Encoder : SegmentationEncoder
{
    readonly Sequential block1, block2, block3, block4;

    public Vgg16Encoder(long inChannels) : base(nameof(Vgg16Encoder))
    {
        InputChannels = inChannels;
        block1 = Block(inChannels, 64, 2, pool: false);
        block2 = Block(64, 128, 2, pool: true);
        block3 = Block(128, 256, 3, pool: true);
        block4 = Block(256, 512, 3, pool: true);
        RegisterComponents();
        Models.Initialization.HeNormalConvolutions(this);
    }

    static Sequential Block(long inChannels, long outChannels, int convolutions, bool pool)
    {
        var layers = new List<Module<Tensor, Tensor>>();
        if (pool) layers.Add(MaxPool2d(2, 2));
        for (int i = 0; i < convolutions; i++)
        {
            layers.Add(Conv2d(i == 0 ? inChannels : outChannels, outChannels, 3, padding: 1));
            layers.Add(ReLU());
        }
        return Sequential(layers);
    }

    public override long[] Channels => [64, 128, 256, 512];
    public override int[] Strides => [1, 2, 4, 8];
    public override int Radius => new ReceptiveField().Layer(3, repeat: 2).Layer(2, 2).Layer(3, repeat: 2)
        .Layer(2, 2).Layer(3, repeat: 3).Layer(2, 2).Layer(3, repeat: 3).Radius;

    /// <summary>torchvision's features.N convolutions in order onto the blocks' convolutions (the pools shift the indices).</summary>
    protected override Dictionary<string, Tensor> ImageNetKeys(IReadOnlyDictionary<string, Tensor> state, string path)
    {
        var theirs = state.Keys.Where(k => k.StartsWith("features.", StringComparison.Ordinal) && k.EndsWith(".weight", StringComparison.Ordinal))
            .Select(k => int.Parse(k.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        var ours = state_dict().Keys.Where(k => k.EndsWith(".weight", StringComparison.Ordinal)).ToList();
        if (theirs.Count < ours.Count) throw new InvalidDataFileException(path, $"holds {theirs.Count} VGG convolutions, the encoder needs {ours.Count}");
        var mine = new Dictionary<string, Tensor>();
        for (int i = 0; i < ours.Count; i++)
        {
            var prefix = ours[i][..^".weight".Length];
            mine[prefix + ".weight"] = state[$"features.{theirs[i]}.weight"];
            mine[prefix + ".bias"] = state[$"features.{theirs[i]}.bias"];
        }
        return mine;
    }

    public override Tensor[] Features(Tensor input)
    {
        var f0 = block1.forward(input);
        var f1 = block2.forward(f0);
        var f2 = block3.forward(f1);
        return [f0, f1, f2, block4.forward(f2)];
    }
}
