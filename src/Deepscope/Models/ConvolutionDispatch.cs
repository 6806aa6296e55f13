using Deepscope.Runtime;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Models;

/// <summary>
/// One 2-D convolution by the cheapest exact route for its shape. When the input map has no more positions than the
/// kernel has taps (ResNet's layer3 and layer4 on 32x32 images: 3x3 kernels on 2x2 and 1x1 maps), the convolution is a
/// matrix product with the unrolled kernel, a dense (output positions x channels, input positions x channels) matrix
/// gathered from the weight, and that product has no more multiply-adds than the convolution. oneDNN computes such
/// shapes with a generic gemm whose weight gradient was the slowest operation of a ResNet-18 step (docs/benchmarks.md,
/// "Training at the machine's limit").
/// <para>libtorch 2.10's oneDNN returns a wrong input gradient on this AMD CPU (garbage or NaN, run to run different)
/// for layers with a channel count that is not a multiple of 8 (LeNet's 6, a 1-channel output, DCF's bases-then-mix
/// maps) when their input is stored NCHW; it is right for channels-last inputs, with oneDNN capped at SSE4.1 and in
/// float64 (tests/Deepscope.Tests/Models/ConvolutionDispatchTests); more NCHW forwards and gradients are wrong at both
/// AVX2 and AVX-512 (<see cref="NchwAtRisk"/>, found by <see cref="ConvolutionDispatchSweep"/>). Such an NCHW input is
/// given a channels-last copy, or, for a single input channel (both layouts at once), the convolution becomes a matrix
/// product over the unfolded input, whose gradient libtorch computes without oneDNN.</para>
/// Every other shape goes to libtorch's convolution.
/// </summary>
public static class ConvolutionDispatch
{
    [ThreadStatic] static List<ConvolutionCall>? _recording;

    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups) =>
        Conv2d(input, weight, bias, stride, padding, dilation, groups, Choose(input, weight, stride, padding, dilation, groups));

    /// <summary>The convolution by a given route (profiles compare routes; any route gives the same values where it applies).</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups, ConvolutionRoute route)
    {
        var output = KeepChannelsLast(input, Evaluate(input, weight, bias, stride, padding, dilation, groups, route));
        _recording?.Add(new ConvolutionCall(input.shape, weight.shape, stride, padding, dilation, groups, route, output.shape, input.requires_grad));
        return output;
    }

    /// <summary>
    /// A single-channel image batch is the same memory in both layouts (the trainer's channels-last batches included),
    /// and libtorch returns an NCHW output for it: the whole network after it (DnCNN: 16 layers of 64 channels) would run
    /// NCHW, with oneDNN reordering every activation to its blocked layout and back. Such an output is returned
    /// channels-last, the trainer's layout (the same values, one copy).
    /// </summary>
    static Tensor KeepChannelsLast(Tensor input, Tensor output) =>
        input.dim() == 4 && input.shape[1] == 1 && output.shape[1] > 1 && output.shape[2] * output.shape[3] > 1 && output.stride(1) != 1
            ? MemoryFormat.ChannelsLast(output) : output;

    static Tensor Evaluate(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups, ConvolutionRoute route) =>
        route switch
        {
            ConvolutionRoute.Unrolled => Unrolled(input, weight, bias, stride, padding),
            ConvolutionRoute.Unfolded => Unfolded(input, weight, bias, stride, padding, dilation),
            ConvolutionRoute.ChannelsLast => functional.conv2d(MemoryFormat.ChannelsLast(input), weight, bias, stride, padding, dilation, groups),
            // Back to channels-last, so that the layers after it stay on oneDNN's fast layout.
            ConvolutionRoute.Contiguous => MemoryFormat.ChannelsLast(functional.conv2d(input.contiguous(), weight.contiguous(), bias, stride, padding, dilation, groups)),
            ConvolutionRoute.Subsampled => Subsampled(input, weight, bias, stride, dilation, groups),
            ConvolutionRoute.Pointwise => PointwiseProduct(input, weight, bias),
            ConvolutionRoute.PaddedOutputChannels => PaddedOutputChannels(input, weight, bias, stride, padding, dilation),
            _ => functional.conv2d(input, weight, bias, stride, padding, dilation, groups),
        };

    /// <summary>The route <see cref="Conv2d(Tensor, Tensor, Tensor?, long[], long[], long[], long)"/> takes.</summary>
    public static ConvolutionRoute Choose(Tensor input, Tensor weight, long[] stride, long[] padding, long[] dilation, long groups)
    {
        if (StridedPointwise(weight.shape, stride, padding)) return ConvolutionRoute.Subsampled;
        if (Pointwise(weight.shape, stride, padding, groups)) return ConvolutionRoute.Pointwise;
        if (Unrollable(input.shape, weight.shape, dilation, groups) && UnrollingPays(input.shape)) return ConvolutionRoute.Unrolled;
        if (ForwardAtRisk(input, weight, groups))
            return input.shape[1] == 1 ? ConvolutionRoute.Unfolded
                : NchwAtRisk(input, weight) ? ConvolutionRoute.PaddedOutputChannels : ConvolutionRoute.Contiguous;
        if (!GradientAtRisk(input, weight)) return ConvolutionRoute.Library;
        return input.shape[1] > 1 ? ConvolutionRoute.ChannelsLast : groups == 1 ? ConvolutionRoute.Unfolded : ConvolutionRoute.Library;
    }

    /// <summary>
    /// True when oneDNN's forward result would be wrong: libtorch 2.10's AVX2 convolution of a channels-last input (any
    /// layer that gets one: the trainer feeds channels-last batches) with a kernel larger than 1x1 and an output channel
    /// count above 32 that is not a multiple of 32 (40, 48, 80, 112, 176 ...; Inception's 48- and 80-channel branches)
    /// returns values off by about 50% of their range on most small maps (2x2 to 15x15 outputs). NCHW inputs get the right
    /// result (ConvolutionDispatchTests' sweep). A 1-channel input counts as channels-last.
    /// </summary>
    public static bool ForwardAtRisk(Tensor input, Tensor weight, long groups) =>
        input.dim() == 4 && groups == 1 && weight.shape[0] > 32 && weight.shape[0] % 32 != 0 && weight.shape[2] * weight.shape[3] > 1
        && (input.shape[1] == 1 || input.stride(1) == 1 || GradientAtRisk(input, weight));

    /// <summary>
    /// True when oneDNN's result for this input would be wrong because it is stored NCHW (see <see cref="NchwAtRisk"/>;
    /// channels-last inputs of more than one channel get the right result).
    /// </summary>
    public static bool GradientAtRisk(Tensor input, Tensor weight) =>
        NchwAtRisk(input, weight) && !(input.shape[1] > 1 && input.stride(1) == 1);

    /// <summary>
    /// True when oneDNN computes this convolution wrongly, or may, for an NCHW input on this AMD CPU
    /// (ConvolutionDispatchSweep; `Deepscope.Bench convolution-sweep --direct --cases ...`): the input gradient for channel
    /// counts that are not multiples of 8 (at every ISA); with kernels above 1x1, the forward result for more than 8 input
    /// channels that are not a multiple of 8 at AVX2 (9-20) or of 16 at AVX512_CORE (18-24, 40, 56, 72, 100), and the
    /// input gradient of strided kernels for more than 32 input channels that are not a multiple of 32 (48, 80, 144 ...:
    /// Inception's downsampling modules) and, at AVX512_CORE, for output channels that are not a multiple of 16 (40).
    /// Channels-last inputs were right in all of these.
    /// </summary>
    static bool NchwAtRisk(Tensor input, Tensor weight)
    {
        if (input.dim() != 4) return false;
        long inChannels = input.shape[1], outChannels = weight.shape[0];
        bool gradient = input.requires_grad, wideKernel = weight.shape[2] * weight.shape[3] > 1;
        return gradient && (inChannels % 8 != 0 || outChannels % 8 != 0)
            || inChannels > 1 && wideKernel && (gradient && outChannels % 16 != 0
                || inChannels > 8 && (inChannels % 16 != 0 || inChannels > 32 && inChannels % 32 != 0));
    }

    /// <summary>Adds every convolution this thread runs to <paramref name="calls"/> until disposed (cost accounting, profiles).</summary>
    public static IDisposable Record(List<ConvolutionCall> calls)
    {
        var previous = _recording;
        _recording = calls;
        return new Restore(() => _recording = previous);
    }

    sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    static Tensor Unfolded(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation)
    {
        using var scope = NewDisposeScope();
        long n = input.shape[0], outChannels = weight.shape[0], kernelHeight = weight.shape[2], kernelWidth = weight.shape[3];
        long outHeight = (input.shape[2] + 2 * padding[0] - dilation[0] * (kernelHeight - 1) - 1) / stride[0] + 1;
        long outWidth = (input.shape[3] + 2 * padding[1] - dilation[1] * (kernelWidth - 1) - 1) / stride[1] + 1;
        // (N, C k k, positions): each column one window of the input.
        var columns = functional.unfold(input, (kernelHeight, kernelWidth), (dilation[0], dilation[1]), (padding[0], padding[1]), (stride[0], stride[1]));
        var output = weight.reshape(outChannels, -1).matmul(columns).view(n, outChannels, outHeight, outWidth);
        if (bias is not null) output = output + bias.view(1, outChannels, 1, 1);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The channels-last convolution with zero kernels added up to a multiple of 32 output channels, cut back after: for
    /// such counts oneDNN's channels-last forward is right, and its gradients of channels-last inputs are. Costs the extra
    /// channels (80 -> 96: a fifth more) where the unfolded product ran 4x slower than oneDNN (Inception's 80-channel
    /// downsampling, docs/benchmarks.md).
    /// </summary>
    static Tensor PaddedOutputChannels(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation)
    {
        using var scope = NewDisposeScope();
        long outChannels = weight.shape[0], extra = (outChannels + 31) / 32 * 32 - outChannels;
        long[] zeroKernels = [extra, .. weight.shape[1..]];
        var paddedWeight = cat([weight, zeros(zeroKernels, dtype: weight.dtype, device: weight.device)]);
        var paddedBias = bias is null ? null : cat([bias, zeros(extra, dtype: bias.dtype, device: bias.device)]);
        var output = functional.conv2d(MemoryFormat.ChannelsLast(input), paddedWeight, paddedBias, stride, padding, dilation, 1);
        return MemoryFormat.ChannelsLast(output.narrow(1, 0, outChannels)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A 1x1 convolution with stride s and no padding reads every s-th position only: it is the stride-1 convolution of
    /// those positions (a strided view), by whatever route that one takes.
    /// </summary>
    static Tensor Subsampled(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] dilation, long groups)
    {
        var positions = input.slice(2, 0, input.shape[2], stride[0]).slice(3, 0, input.shape[3], stride[1]);
        long[] unit = [1, 1], none = [0, 0];
        return Evaluate(positions, weight, bias, unit, none, dilation, groups, Choose(positions, weight, unit, none, dilation, groups));
    }

    /// <summary>
    /// True for 1x1 kernels with a stride and no padding. libtorch 2.10's oneDNN computes them wrongly on this AMD CPU for
    /// channels-last inputs (relative error about 0.5 at 160 -> 48 channels capped at AVX2; at 256 -> 512 with AVX-512 on
    /// every map size, ResNet's layer4 downsample) and writes out of bounds, corrupting the native heap
    /// (ConvolutionDispatchTests' sweep).
    /// </summary>
    public static bool StridedPointwise(long[] weightShape, long[] stride, long[] padding) =>
        weightShape.Length == 4 && weightShape[2] == 1 && weightShape[3] == 1 && stride.Any(s => s > 1) && padding.All(p => p == 0);

    /// <summary>
    /// True for 1x1 kernels with stride 1, no padding and no groups. libtorch 2.10's oneDNN computes their forward
    /// wrongly on this AMD CPU when it runs on two threads: at AVX512_CORE on every map size and channel count swept (3-256
    /// -> 40-512, both layouts; off by 30-80%), at AVX2 a few (ConvolutionDispatchSweep at --threads 2). One thread was right.
    /// </summary>
    public static bool Pointwise(long[] weightShape, long[] stride, long[] padding, long groups) =>
        weightShape.Length == 4 && weightShape[2] == 1 && weightShape[3] == 1 && groups == 1 && stride.All(s => s == 1) && padding.All(p => p == 0);

    /// <summary>
    /// A 1x1 convolution is a matrix product at every position: (positions, in) by (in, out), read from a channels-last
    /// view (a copy for NCHW inputs); the output is channels-last. libtorch's matrix product and its gradients do not go
    /// through oneDNN's convolutions.
    /// </summary>
    static Tensor PointwiseProduct(Tensor input, Tensor weight, Tensor? bias)
    {
        using var scope = NewDisposeScope();
        long n = input.shape[0], channels = input.shape[1], height = input.shape[2], width = input.shape[3], outChannels = weight.shape[0];
        var positions = input.permute(0, 2, 3, 1).reshape(n * height * width, channels);
        var mix = weight.reshape(outChannels, channels).t();
        var output = bias is null ? positions.matmul(mix) : addmm(bias, positions, mix, 1, 1);
        return output.view(n, height, width, outChannels).permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }

    static Tensor Unrolled(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding)
    {
        using var scope = NewDisposeScope();
        long n = input.shape[0], channels = input.shape[1], height = input.shape[2], width = input.shape[3];
        long outChannels = weight.shape[0], kernelHeight = weight.shape[2], kernelWidth = weight.shape[3];
        long outHeight = (height + 2 * padding[0] - kernelHeight) / stride[0] + 1, outWidth = (width + 2 * padding[1] - kernelWidth) / stride[1] + 1;
        long taps = kernelHeight * kernelWidth;
        // Which tap joins each (output position, input position) pair, as a (taps, pairs) 0/1 matrix: a pair that no tap
        // joins gets a zero column. The kernel times it is the unrolled operator; its gradient is the transposed product,
        // where a gather's would be a scatter-add (libtorch's index_add over an inner dimension: 5 ms a call at 512 x 512).
        long pairs = outHeight * outWidth * height * width;
        var selection = new float[taps * pairs];
        for (long oy = 0, pair = 0; oy < outHeight; oy++)
            for (long ox = 0; ox < outWidth; ox++)
                for (long y = 0; y < height; y++)
                    for (long x = 0; x < width; x++, pair++)
                    {
                        long ky = y - oy * stride[0] + padding[0], kx = x - ox * stride[1] + padding[1];
                        if (ky >= 0 && ky < kernelHeight && kx >= 0 && kx < kernelWidth) selection[(ky * kernelWidth + kx) * pairs + pair] = 1;
                    }
        var unrolled = weight.reshape(outChannels * channels, taps)
            .matmul(tensor(selection, [taps, pairs], dtype: weight.dtype, device: weight.device))
            .view(outChannels, channels, outHeight * outWidth, height * width)
            .permute(2, 0, 3, 1).reshape(outHeight * outWidth * outChannels, height * width * channels);
        // Rows and columns in (position, channel) order: the input is read as a channels-last view, the output is channels-last.
        var flat = input.permute(0, 2, 3, 1).reshape(n, height * width * channels);
        var output = flat.matmul(unrolled.t()).view(n, outHeight, outWidth, outChannels);
        if (bias is not null) output = output + bias;
        return output.permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Whether the unrolled product is faster where it applies: on maps of up to 4 positions (1x1, 2x2). Its operator,
    /// (out x positions) by (in x positions), is built and its gradient scattered back into the kernel once per call, so
    /// on 3x3 maps it ran 4.8x slower than oneDNN (ResNet-18 at 80x80, docs/benchmarks.md).
    /// </summary>
    public static bool UnrollingPays(long[] inputShape) => inputShape[2] * inputShape[3] <= 4;

    /// <summary>True when the unrolled-kernel product applies and costs no more multiply-adds than the convolution.</summary>
    public static bool Unrollable(long[] inputShape, long[] weightShape, long[] dilation, long groups) =>
        inputShape.Length == 4 && groups == 1 && dilation.All(d => d == 1)
        && inputShape[2] * inputShape[3] <= weightShape[2] * weightShape[3];
}

/// <summary>How <see cref="ConvolutionDispatch"/> evaluates a convolution.</summary>
public enum ConvolutionRoute
{
    /// <summary>libtorch's convolution (oneDNN).</summary>
    Library,
    /// <summary>A matrix product with the unrolled kernel: inputs no larger than the kernel.</summary>
    Unrolled,
    /// <summary>A matrix product over the unfolded input: single-channel inputs whose oneDNN gradient would be wrong.</summary>
    Unfolded,
    /// <summary>libtorch's convolution of a channels-last copy: other inputs whose oneDNN gradient would be wrong in NCHW.</summary>
    ChannelsLast,
    /// <summary>libtorch's convolution of an NCHW copy: channels-last inputs whose oneDNN forward result would be wrong.</summary>
    Contiguous,
    /// <summary>The stride-1 convolution of every s-th position: 1x1 kernels with a stride, which oneDNN gets wrong.</summary>
    Subsampled,
    /// <summary>A matrix product over channels at every position: 1x1 kernels, whose multi-threaded oneDNN forward is wrong.</summary>
    Pointwise,
    /// <summary>libtorch's convolution of a channels-last copy with the output channels padded to a multiple of 32: inputs
    /// whose oneDNN forward would be wrong in both layouts.</summary>
    PaddedOutputChannels,
}

/// <summary>One convolution as the dispatch ran it; <paramref name="InputGradient"/>: whether its backward pass computes
/// the input's gradient (not for a network's first layer).</summary>
public sealed record ConvolutionCall(long[] InputShape, long[] WeightShape, long[] Stride, long[] Padding, long[] Dilation, long Groups,
    ConvolutionRoute Route, long[] OutputShape, bool InputGradient = true)
{
    /// <summary>Multiply-adds per image of the convolution as defined (kernel taps x output positions), whatever the route.</summary>
    public long MacsPerImage => WeightShape.Aggregate(1L, (a, b) => a * b) * OutputShape[2] * OutputShape[3];

    /// <summary>
    /// Multiply-adds per image whose taps meet the input (padding taps left out): what an exact product has to compute,
    /// which on small maps is far less than <see cref="MacsPerImage"/> (a 3x3 kernel on a 1x1 map: 1 tap of 9).
    /// </summary>
    public long EffectiveMacsPerImage =>
        WeightShape[0] * WeightShape[1] * TapsInside(InputShape[2], WeightShape[2], Stride[0], Padding[0], Dilation[0], OutputShape[2])
        * TapsInside(InputShape[3], WeightShape[3], Stride[1], Padding[1], Dilation[1], OutputShape[3]);

    /// <summary>Along one axis: the (output position, tap) pairs that read the input rather than padding.</summary>
    static long TapsInside(long size, long kernel, long stride, long padding, long dilation, long outputs)
    {
        long inside = 0;
        for (long o = 0; o < outputs; o++)
            for (long k = 0; k < kernel; k++)
            {
                long at = o * stride - padding + k * dilation;
                if (at >= 0 && at < size) inside++;
            }
        return inside;
    }

    /// <summary>The layer's shape as oneDNN's verbose log writes it, e.g. <c>ic512oc512 3x3/1 on 1x1</c>.</summary>
    public string Signature =>
        $"ic{InputShape[1]}oc{WeightShape[0]} {WeightShape[2]}x{WeightShape[3]}/{Stride[0]} on {InputShape[2]}x{InputShape[3]}" + (Groups > 1 ? $" g{Groups}" : "");
}
