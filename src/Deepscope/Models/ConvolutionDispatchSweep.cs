using Deepscope.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Models;

/// <summary>
/// One convolution shape to check against float64: channels, input map, square kernel, stride, padding, groups, and
/// whether it is a transposed convolution (the decoders' up-sampling, which libtorch computes and the dispatch does not route).
/// </summary>
public sealed record ConvolutionCase(long InChannels, long OutChannels, long Height, long Width, long Kernel, long Stride = 1, long Padding = 0,
    long Groups = 1, bool Transposed = false)
{
    public override string ToString() =>
        $"{(Transposed ? "transposed " : "")}{InChannels}->{OutChannels} {Kernel}x{Kernel}/{Stride} pad {Padding}{(Groups > 1 ? $" g{Groups}" : "")} on {Height}x{Width}";
}

/// <summary>
/// Checks convolutions as Deepscope runs them against libtorch's float64 convolution (its reference implementation:
/// oneDNN has no float64), forward with and without gradients (inference takes other routes than training) and both
/// gradients, for channels-last and NCHW inputs. oneDNN picks its kernels per shape and per ISA, and the ISA is fixed
/// for the process at its first convolution, so a sweep checks the ISA of the process it runs in
/// (<see cref="OneDnnIsa"/>): the default test suite at the default, <c>Deepscope.Bench convolution-sweep</c> at any
/// <c>DNNL_MAX_CPU_ISA</c>.
/// </summary>
public static class ConvolutionDispatchSweep
{
    const long Batch = 3;
    const double Tolerance = 1e-5;

    /// <summary>
    /// The distinct convolutions a model runs on an input of <paramref name="inputShape"/> (one image is enough), routed
    /// in place as the trainer routes it, with maps larger than <paramref name="largestSide"/> cut to that side (oneDNN's
    /// wrong results were all on maps of up to 16x16; the float64 reference on 224x224 maps would take minutes).
    /// </summary>
    public static IReadOnlyList<ConvolutionCase> CasesOf(Module<Tensor, Tensor> model, long[] inputShape, long largestSide)
    {
        RoutedConv2d.RouteConvolutions(model);
        var calls = new List<ConvolutionCall>();
        using (var scope = NewDisposeScope())
        using (no_grad())
        using (ConvolutionDispatch.Record(calls))
            model.forward(zeros(inputShape));
        return calls.Select(c => Cut(new ConvolutionCase(c.InputShape[1], c.WeightShape[0], c.InputShape[2], c.InputShape[3],
            c.WeightShape[2], c.Stride[0], c.Padding[0], c.Groups), largestSide)).Distinct().ToList();
    }

    /// <summary>
    /// The convolutions of every zoo model at its default input (resnet18-cntk's are resnet18's plus a block) and of the
    /// studies' networks outside the zoo: DnCNN, the pix2pix U-Net and PatchGAN, the segmentation U-Nets with each
    /// encoder, the anomaly autoencoder, RAM's convolutional baseline.
    /// </summary>
    public static IReadOnlyList<ConvolutionCase> ZooAndStudyCases(long largestSide)
    {
        var networks = ModelZoo.All.Where(m => m.Bundled is null).Select(m => ((Func<Module<Tensor, Tensor>>)(() => m.Create(m.DefaultShape)),
            new[] { 1, m.DefaultShape.Channels, m.DefaultShape.ImageSize, m.DefaultShape.ImageSize })).ToList();
        networks.Add((() => new Denoising.Networks.DnCnn(), [1, 1, 40, 40]));
        networks.Add((() => new Denoising.Networks.UNetGenerator(), [1, 1, 64, 64]));
        networks.Add((() => new Denoising.Networks.PatchDiscriminator(), [1, 2, 64, 64]));
        networks.Add((() => new Anomaly.ConvAutoencoder(), [1, 1, 64, 64]));
        networks.Add((() => Attention.AttentionBaselines.Convolutional(1, 28, 10), [1, 1, 28, 28]));
        foreach (var encoder in Segmentation.SegmentationEncoders.Catalog.Names)
            networks.Add((() => new Segmentation.EncoderDecoder(Segmentation.SegmentationEncoders.Catalog.Create(encoder), 2), [1, 1, 64, 64]));
        var cases = new List<ConvolutionCase>();
        foreach (var (create, inputShape) in networks)
        {
            using var network = create();
            network.eval();
            cases.AddRange(CasesOf(network, inputShape, largestSide));
        }
        return cases.Distinct().ToList();
    }

    static ConvolutionCase Cut(ConvolutionCase c, long largestSide)
    {
        long side = Math.Max(largestSide, c.Kernel);
        return c with { Height = Math.Min(c.Height, side), Width = Math.Min(c.Width, side) };
    }

    /// <summary>
    /// The families around oneDNN's known wrong results (ConvolutionDispatch): small maps, output channels around
    /// multiples of 32, 1-channel and odd channel counts, kernels 1/3/5/7 with strides 1 and 2, groups; and the
    /// decoders' 4x4 stride-2 transposed convolutions.
    /// </summary>
    public static IEnumerable<ConvolutionCase> Families()
    {
        foreach (var (inChannels, outChannels) in new (long, long)[] { (1, 64), (3, 48), (16, 80), (64, 64), (160, 48), (128, 112), (256, 512), (64, 1), (6, 16) })
        foreach (var (kernel, stride, padding) in new (long, long, long)[] { (1, 1, 0), (1, 2, 0), (3, 1, 1), (3, 2, 1), (5, 1, 2), (7, 2, 3) })
        foreach (var side in new long[] { 1, 2, 3, 5, 8, 13 })
            if (side + 2 * padding >= kernel) yield return new ConvolutionCase(inChannels, outChannels, side, side, kernel, stride, padding);
        foreach (var (channels, groups) in new (long, long)[] { (32, 32), (64, 4), (48, 3) })
        foreach (var side in new long[] { 2, 7 })
            yield return new ConvolutionCase(channels, channels, side, side, 3, 1, 1, groups);
        foreach (var (inChannels, outChannels) in new (long, long)[] { (64, 1), (128, 64), (512, 512), (32, 16) })
        foreach (var side in new long[] { 1, 2, 4, 7 })
            yield return new ConvolutionCase(inChannels, outChannels, side, side, 4, 2, 1, Transposed: true);
    }

    /// <summary>
    /// The cases whose float32 result, through the dispatch (or, with <paramref name="throughDispatch"/> false, through
    /// libtorch's convolution as called directly), differs from the float64 one by more than 1e-5 of its largest value,
    /// each with what differed. Direct calls skip strided 1x1 kernels of channels-last inputs, which write out of bounds.
    /// </summary>
    public static IEnumerable<string> Failures(IEnumerable<ConvolutionCase> cases, bool throughDispatch = true)
    {
        foreach (var c in cases)
            foreach (var problem in Check(c, throughDispatch).ToList())
                yield return $"{c}, {problem}";
    }

    static IEnumerable<string> Check(ConvolutionCase c, bool throughDispatch)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(17);
        var input = randn([Batch, c.InChannels, c.Height, c.Width], generator: generator);
        long[] weightShape = c.Transposed ? [c.InChannels, c.OutChannels / c.Groups, c.Kernel, c.Kernel] : [c.OutChannels, c.InChannels / c.Groups, c.Kernel, c.Kernel];
        var weight = randn(weightShape, generator: generator) / Math.Sqrt(weightShape[1] * c.Kernel * c.Kernel);
        var bias = randn([c.OutChannels], generator: generator);
        var (input64, weight64, bias64) = (Leaf(input, ScalarType.Float64), Leaf(weight, ScalarType.Float64), Leaf(bias, ScalarType.Float64));
        var reference = Convolve(c, input64, weight64, bias64, dispatch: false);
        var upstream = randn(reference.shape, dtype: ScalarType.Float64, generator: generator);
        (reference * upstream).sum().backward();
        var upstream32 = upstream.to_type(ScalarType.Float32);

        foreach (var channelsLast in new[] { true, false })
        {
            if (!throughDispatch && !c.Transposed && ConvolutionDispatch.StridedPointwise(weightShape, [c.Stride, c.Stride], [c.Padding, c.Padding]))
                continue;
            var layout = channelsLast ? "channels-last" : "NCHW";
            var laid = channelsLast ? MemoryFormat.ChannelsLast(input) : input;
            Tensor inferred;
            // Inference stores convolution weights channels-last, as its inputs (InferencePreparation).
            using (no_grad()) inferred = Convolve(c, laid, channelsLast && !c.Transposed ? MemoryFormat.ChannelsLast(weight) : weight, bias, throughDispatch);
            if (Differs(reference, inferred) is { } forward) yield return $"{layout}: forward without gradients {forward}";

            var (x, w, b) = (Leaf(laid, ScalarType.Float32), Leaf(weight, ScalarType.Float32), Leaf(bias, ScalarType.Float32));
            var output = Convolve(c, x, w, b, throughDispatch);
            (output * upstream32).sum().backward();
            if (Differs(reference, output) is { } trained) yield return $"{layout}: forward {trained}";
            if (Differs(input64.grad!, x.grad!) is { } inputGradient) yield return $"{layout}: input gradient {inputGradient}";
            if (Differs(weight64.grad!, w.grad!) is { } weightGradient) yield return $"{layout}: weight gradient {weightGradient}";
            if (Differs(bias64.grad!, b.grad!) is { } biasGradient) yield return $"{layout}: bias gradient {biasGradient}";
        }
    }

    static Tensor Leaf(Tensor values, ScalarType type)
    {
        var leaf = values.to_type(type).detach();
        if (values.dim() == 4 && values.stride(1) == 1 && values.shape[1] > 1) leaf = MemoryFormat.ChannelsLast(leaf);
        return leaf.requires_grad_();
    }

    static Tensor Convolve(ConvolutionCase c, Tensor input, Tensor weight, Tensor bias, bool dispatch)
    {
        long[] stride = [c.Stride, c.Stride], padding = [c.Padding, c.Padding], dilation = [1, 1];
        if (c.Transposed) return functional.conv_transpose2d(input, weight, bias, stride, padding, groups: c.Groups);
        return dispatch
            ? ConvolutionDispatch.Conv2d(input, weight, bias, stride, padding, dilation, c.Groups)
            : functional.conv2d(input, weight, bias, stride, padding, dilation, c.Groups);
    }

    /// <summary>Null when <paramref name="actual"/> is within the tolerance of <paramref name="expected"/>; else what differs.</summary>
    static string? Differs(Tensor expected, Tensor actual)
    {
        if (!expected.shape.SequenceEqual(actual.shape)) return $"shape ({string.Join(", ", actual.shape)}) instead of ({string.Join(", ", expected.shape)})";
        var difference = (actual.detach().to_type(ScalarType.Float64) - expected.detach()).abs().max().ToDouble();
        var scale = Math.Max(1, expected.abs().max().ToDouble());
        return difference <= Tolerance * scale && !double.IsNaN(difference) ? null : $"off by {difference / scale:G3} of its largest value";
    }
}
