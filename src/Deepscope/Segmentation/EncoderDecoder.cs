using Deepscope.Catalogs;
using Deepscope.Models.Dcf;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Segmentation;

public sealed record EncoderOptions
{
    [Param(Min = 1, Max = 3, Description = "input channels (1 for grey line-camera images)")] public int Channels { get; init; } = 1;
    [Param(Min = 1, Max = 14, Description = "Fourier-Bessel bases per 3x3/5x5 convolution of a DCF encoder (DCFNet's K)")] public int DcfK { get; init; } = 3;
}

/// <summary>The encoders a segmenter can have, by name: <c>scattering</c>, <c>resnet18</c>, <c>vgg16</c> and their DCF versions.</summary>
public static class SegmentationEncoders
{
    public static Catalog<SegmentationEncoder> Catalog { get; } = new Catalog<SegmentationEncoder>("encoder")
        .Add("scattering", "fixed Morlet scattering (2 scales x 8 orientations) then four learned stages, strides 1-16", () => new EncoderOptions(), o => new ScatteringEncoder(o.Channels))
        .Add("resnet18", "ResNet-18 stem and layers 1-3 (torchvision names), strides 2-16", () => new EncoderOptions(), o => new ResNet18Encoder(o.Channels))
        .Add("vgg16", "VGG-16 convolutions up to conv4_3, strides 1-8", () => new EncoderOptions(), o => new Vgg16Encoder(o.Channels))
        .Add("dcf-scattering", "scattering with its learned 3x3 convolutions over K Fourier-Bessel bases (DCFNet)", () => new EncoderOptions(), o => Dcf(new ScatteringEncoder(o.Channels), o))
        .Add("dcf-resnet18", "resnet18 with its 3x3 convolutions over K Fourier-Bessel bases (DCFNet)", () => new EncoderOptions(), o => Dcf(new ResNet18Encoder(o.Channels), o))
        .Add("dcf-vgg16", "vgg16 with its 3x3 convolutions over K Fourier-Bessel bases (DCFNet)", () => new EncoderOptions(), o => Dcf(new Vgg16Encoder(o.Channels), o));

    static SegmentationEncoder Dcf(SegmentationEncoder encoder, EncoderOptions options) =>
        DcfConversion.Convert(encoder, new DcfOptions { BasisCount = options.DcfK, KernelSizes = [3, 5] });
}

/// <summary>
/// A U-Net-style segmenter (Ronneberger et al. 2015) around any <see cref="SegmentationEncoder"/>: from the deepest
/// level up, features are upsampled 2x (bilinear), joined with the next finer level and mixed by a 3x3 convolution
/// with batch norm; the finest result is upsampled to the input's size and joined with a light full-resolution stem,
/// so thin scratches keep their width; a 1x1 convolution gives per-pixel class logits (N, K, H, W). Grey input in
/// [0, 1] is centred inside the model, and an input whose sides are not multiples of the deepest stride is padded
/// with zeros on the right and bottom and the logits cropped back, so any image size works and a tile whose corner
/// is a multiple of <see cref="Stride"/> sees exactly the pooling grid the whole image does.
/// </summary>
public sealed class EncoderDecoder : Module<Tensor, Tensor>
{
    const int StemChannels = 16;
    readonly SegmentationEncoder encoder;
    readonly ModuleList<Sequential> mixers;
    readonly Sequential stem, head;

    public EncoderDecoder(SegmentationEncoder encoder, int classes) : base(nameof(EncoderDecoder))
    {
        this.encoder = encoder;
        var channels = encoder.Channels;
        var widths = channels.Select(c => Math.Clamp(c / 2, 16, 128)).ToArray();
        var mixerList = new List<Sequential>();
        long incoming = channels[^1];
        for (int level = channels.Length - 2; level >= 0; level--)
        {
            mixerList.Add(SegmentationEncoder.ConvBnRelu(incoming + channels[level], widths[level]));
            incoming = widths[level];
        }
        mixers = new ModuleList<Sequential>([.. mixerList]);
        stem = SegmentationEncoder.ConvBnRelu(encoder.InputChannels, StemChannels);
        head = Sequential(SegmentationEncoder.ConvBnRelu(incoming + StemChannels, StemChannels), Conv2d(StemChannels, classes, 1));
        Classes = classes;
        RegisterComponents();
    }

    public int Classes { get; }
    public SegmentationEncoder Encoder => encoder;
    /// <summary>The deepest stride: tile corners and padded sizes are multiples of it.</summary>
    public int Stride => encoder.Strides[^1];

    /// <summary>
    /// A bound on the receptive-field radius of an output pixel, in input pixels: the encoder's, plus one coarse pixel
    /// per bilinear upsampling and one pixel of the level per 3x3 mixing convolution.
    /// </summary>
    public int Radius
    {
        get
        {
            var strides = encoder.Strides;
            int radius = encoder.Radius;
            for (int level = strides.Length - 2; level >= 0; level--) radius += strides[level + 1] + strides[level];
            return radius + strides[0] + 2;
        }
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long height = input.shape[2], width = input.shape[3];
        long padBottom = (Stride - height % Stride) % Stride, padRight = (Stride - width % Stride) % Stride;
        var x = (input - 0.5) / 0.25;
        if (padBottom + padRight > 0) x = nn.functional.pad(x, [0, padRight, 0, padBottom]);
        var features = encoder.Features(x);
        // Each level is released as soon as it is joined: on a large tile the full-resolution maps dominate memory.
        var y = features[^1];
        for (int i = 0; i < mixers.Count; i++)
        {
            var skip = features[^(i + 2)];
            y = Join(mixers[i], Upsample(y, skip.shape[2], skip.shape[3]), skip);
        }
        y = Join(head, Upsample(y, x.shape[2], x.shape[3]), stem.forward(x));
        if (padBottom + padRight > 0) y = y.narrow(2, 0, height).narrow(3, 0, width).contiguous();
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>Upsamples to the given size, releasing the coarse map.</summary>
    static Tensor Upsample(Tensor x, long height, long width)
    {
        if (x.shape[2] == height && x.shape[3] == width) return x;
        var up = nn.functional.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
        x.Dispose();
        return up;
    }

    /// <summary>The mixer applied to the two maps side by side, releasing both (autograd keeps what it needs).</summary>
    static Tensor Join(Sequential mixer, Tensor first, Tensor second)
    {
        Tensor joined;
        using (first)
        using (second)
            joined = cat([first, second], 1);
        using (joined)
            return mixer.forward(joined);
    }
}
