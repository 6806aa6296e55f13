using Deepscope.Models;
using Deepscope.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Deepscope.Tests.Models;

/// <summary>
/// <see cref="ConvolutionDispatch"/> against libtorch's float64 convolution (its reference implementation, not oneDNN),
/// forward and gradients, for channels-last and plain (NCHW) inputs.
/// </summary>
public class ConvolutionDispatchTests
{
    public static TheoryData<long, long, long, long, long, long, long, bool> Shapes => new()
    {
        // in, out, height, width, kernel, stride, padding, bias
        // Unrolled: inputs no larger than the kernel's taps.
        { 6, 4, 1, 1, 3, 1, 1, false }, // ResNet's layer4 on 32x32 images
        { 6, 4, 2, 2, 3, 1, 1, true },  // layer3
        { 6, 4, 2, 2, 3, 2, 1, false }, // layer4's first, strided convolution
        { 6, 4, 3, 3, 3, 1, 0, true },
        { 6, 4, 1, 3, 3, 1, 1, true },
        { 6, 4, 4, 4, 5, 2, 2, false },
        { 6, 4, 3, 2, 7, 1, 3, true },
        // Channel counts that are not multiples of 8 (LeNet's 6, DCF's bases-then-mix 1 -> 3, DnCNN's 1-channel residual),
        // where oneDNN's input gradient of an NCHW input is wrong.
        { 6, 16, 14, 14, 5, 1, 0, false },
        { 64, 1, 16, 16, 3, 1, 1, false },
        { 1, 3, 13, 11, 3, 1, 1, false },
        { 6, 4, 8, 8, 3, 1, 1, true },
        { 16, 16, 8, 8, 3, 2, 1, false },
        // Output channels above 32 and not a multiple of 32, where oneDNN's forward result of a channels-last input is wrong
        // on small maps (Inception's 48- and 80-channel branches); an NCHW copy, or the unfolded product when that copy's
        // input gradient would be wrong (3 input channels).
        { 160, 48, 5, 5, 3, 1, 1, false },
        { 16, 80, 13, 13, 3, 1, 1, true },
        { 160, 48, 4, 4, 3, 2, 1, false },
        { 3, 80, 6, 6, 5, 1, 2, true },
        // 1x1 kernels with a stride (ResNet's downsample), which oneDNN gets wrong and writes out of bounds for.
        { 160, 48, 5, 5, 1, 2, 0, false },
        { 256, 512, 2, 2, 1, 2, 0, false },
        { 64, 128, 8, 8, 1, 2, 0, true },
        // NCHW inputs oneDNN gets wrong (session 8 sweep): forwards on 9-24 or 40 input channels, strided input gradients
        // on 48/80/144 channels (Inception's downsampling modules, 3x3 stride 2 without padding), 40 output channels.
        { 80, 80, 13, 13, 3, 2, 0, false },
        { 80, 80, 28, 28, 3, 2, 0, true },  // the same on Inception's 28x28 maps, with a bias
        { 144, 96, 13, 13, 3, 2, 0, false },
        { 12, 40, 7, 7, 3, 1, 1, true },
        { 20, 32, 9, 9, 5, 1, 2, false },
        { 8, 40, 6, 6, 3, 1, 1, false },
    };

    /// <summary>
    /// The families where libtorch 2.10's oneDNN is wrong on this machine's CPU, swept through the dispatch (forward,
    /// channels-last inputs as the trainer feeds them): small maps, kernels above 1x1, output channels around multiples
    /// of 32, and strided 1x1 kernels. Without the dispatch about a quarter of these came out off by ~50%.
    /// </summary>
    [Fact]
    public void Small_map_convolutions_of_channels_last_inputs_equal_the_float64_convolution()
    {
        var failures = new List<string>();
        foreach (var inChannels in new long[] { 3, 16, 160 })
        foreach (var outChannels in new long[] { 40, 48, 56, 64, 80, 112, 176 })
        foreach (var (kernel, stride, padding, size) in new[] { (3L, 1L, 1L, 2L), (3, 1, 1, 3), (3, 1, 1, 6), (3, 1, 1, 13), (3, 1, 0, 5), (3, 2, 1, 4), (5, 1, 2, 6), (1, 2, 0, 4), (1, 2, 0, 7) })
        {
            using var scope = NewDisposeScope();
            using var g = new Generator(3);
            var x = MemoryFormat.ChannelsLast(randn([2, inChannels, size, size], generator: g));
            var w = randn([outChannels, inChannels, kernel, kernel], generator: g) * 0.1;
            using var _ = no_grad();
            var output = ConvolutionDispatch.Conv2d(x, w, null, [stride, stride], [padding, padding], [1, 1], 1);
            var reference = nn.functional.conv2d(x.to_type(ScalarType.Float64), w.to_type(ScalarType.Float64), null, [stride, stride], [padding, padding]);
            var difference = (output.to_type(ScalarType.Float64) - reference).abs().max().ToDouble();
            if (difference > 1e-5 * Math.Max(1, reference.abs().max().ToDouble()))
                failures.Add($"{inChannels}->{outChannels} {kernel}x{kernel}/{stride} pad {padding} on {size}x{size}: {difference:G3}");
        }
        Assert.Empty(failures);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Output_and_gradients_equal_the_float64_convolution(long inChannels, long outChannels, long height, long width, long kernel, long stride, long padding, bool withBias)
    {
        using var scope = NewDisposeScope();
        long[] strides = [stride, stride], paddings = [padding, padding], dilation = [1, 1];
        foreach (var channelsLast in new[] { true, false })
        {
            var (x, w, b) = Leaves(inChannels, outChannels, height, width, kernel, withBias, channelsLast, ScalarType.Float32);
            var (x64, w64, b64) = Leaves(inChannels, outChannels, height, width, kernel, withBias, channelsLast, ScalarType.Float64);
            var output = ConvolutionDispatch.Conv2d(x, w, b, strides, paddings, dilation, 1);
            var reference = nn.functional.conv2d(x64, w64, b64, strides, paddings, dilation, 1);
            Assert.Equal(reference.shape, output.shape);
            AssertClose(reference, output, $"output, channels-last {channelsLast}");
            using var g = new Generator(5);
            var upstream = randn(reference.shape, dtype: ScalarType.Float64, generator: g);
            (output * upstream.to_type(ScalarType.Float32)).sum().backward();
            (reference * upstream).sum().backward();
            AssertClose(x64.grad!, x.grad!, $"input gradient, channels-last {channelsLast}");
            AssertClose(w64.grad!, w.grad!, $"weight gradient, channels-last {channelsLast}");
            if (withBias) AssertClose(b64!.grad!, b!.grad!, $"bias gradient, channels-last {channelsLast}");
        }
    }

    static (Tensor Input, Tensor Weight, Tensor? Bias) Leaves(long inChannels, long outChannels, long height, long width, long kernel, bool withBias, bool channelsLast, ScalarType dtype)
    {
        using var g = new Generator(11);
        var input = randn([5, inChannels, height, width], generator: g).to_type(dtype);
        if (channelsLast) input = MemoryFormat.ChannelsLast(input);
        return (input.requires_grad_(), randn([outChannels, inChannels, kernel, kernel], generator: g).to_type(dtype).requires_grad_(),
            withBias ? randn([outChannels], generator: g).to_type(dtype).requires_grad_() : null);
    }

    static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        var difference = (actual.to_type(ScalarType.Float64) - expected).abs().max().ToDouble();
        var scale = expected.abs().max().ToDouble();
        Assert.True(difference <= 1e-5 * Math.Max(1, scale), $"{what}: max difference {difference} (largest value {scale})");
    }

    [Fact]
    public void Layouts_at_risk_get_a_channels_last_copy_or_the_unfolded_product()
    {
        var weight = zeros(4, 6, 3, 3);
        var plain = zeros(2, 6, 8, 8).requires_grad_();
        Assert.Equal(ConvolutionRoute.ChannelsLast, ConvolutionDispatch.Choose(plain, weight, [1, 1], [1, 1], [1, 1], 1));
        Assert.Equal(ConvolutionRoute.Library, ConvolutionDispatch.Choose(MemoryFormat.ChannelsLast(plain.detach()).requires_grad_(), weight, [1, 1], [1, 1], [1, 1], 1));
        Assert.Equal(ConvolutionRoute.Library, ConvolutionDispatch.Choose(plain.detach(), weight, [1, 1], [1, 1], [1, 1], 1)); // no gradient wanted
        Assert.Equal(ConvolutionRoute.Unfolded, ConvolutionDispatch.Choose(zeros(2, 1, 8, 8).requires_grad_(), zeros(3, 1, 3, 3), [1, 1], [1, 1], [1, 1], 1));
        Assert.Equal(ConvolutionRoute.Library, ConvolutionDispatch.Choose(zeros(2, 16, 8, 8).requires_grad_(), zeros(16, 16, 3, 3), [1, 1], [1, 1], [1, 1], 1));
    }

    [Fact]
    public void A_single_channel_input_gives_a_channels_last_output_with_the_same_values()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(2);
        var x = MemoryFormat.ChannelsLast(randn([3, 1, 12, 12], generator: g));
        var w = randn([16, 1, 3, 3], generator: g);
        var output = ConvolutionDispatch.Conv2d(x, w, null, [1, 1], [1, 1], [1, 1], 1);
        Assert.Equal(1, output.stride(1)); // the rest of the network stays channels-last
        Assert.Equal(0, (output - nn.functional.conv2d(x, w, padding: [1, 1])).abs().max().ToDouble());
    }

    /// <summary>
    /// The Zhang et al. Inception of the generalization study, routed as the trainer routes it, against its own float64
    /// twin in training mode (batch statistics): its 48- and 80-channel branches on 13x13 and 6x6 maps were off by 20% of
    /// the logits' range through libtorch's convolution of the trainer's channels-last batches.
    /// </summary>
    [Fact]
    public void Routed_inception_small_computes_the_float64_forward()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(0);
        var model = ModelZoo.Get("inception-small").Create(new ModelShape(10, 3, 28));
        RoutedConv2d.RouteConvolutions(model);
        model.train();
        var x = MemoryFormat.ChannelsLast(randn(4, 3, 28, 28));
        var output = model.forward(x);
        model.to(ScalarType.Float64);
        AssertClose(model.forward(x.to_type(ScalarType.Float64)), output.detach(), "inception-small logits");
    }

    [Fact]
    public void Channels_last_inputs_at_forward_risk_get_an_nchw_copy_and_strided_1x1_kernels_are_subsampled()
    {
        var channelsLast = MemoryFormat.ChannelsLast(zeros(2, 16, 8, 8));
        long[] one = [1, 1], two = [2, 2], none = [0, 0];
        Assert.Equal(ConvolutionRoute.Contiguous, ConvolutionDispatch.Choose(channelsLast, zeros(48, 16, 3, 3), one, one, one, 1));
        Assert.Equal(ConvolutionRoute.Library, ConvolutionDispatch.Choose(zeros(2, 16, 8, 8), zeros(48, 16, 3, 3), one, one, one, 1)); // NCHW is right
        Assert.Equal(ConvolutionRoute.Library, ConvolutionDispatch.Choose(channelsLast, zeros(64, 16, 3, 3), one, one, one, 1));
        Assert.Equal(ConvolutionRoute.Pointwise, ConvolutionDispatch.Choose(channelsLast, zeros(48, 16, 1, 1), one, none, one, 1)); // not at forward risk; a matrix product since session 8
        Assert.Equal(ConvolutionRoute.PaddedOutputChannels, ConvolutionDispatch.Choose(MemoryFormat.ChannelsLast(zeros(2, 3, 8, 8)).requires_grad_(), zeros(80, 3, 3, 3), one, one, one, 1));
        Assert.Equal(ConvolutionRoute.Subsampled, ConvolutionDispatch.Choose(channelsLast, zeros(32, 16, 1, 1), two, none, one, 1));
        Assert.Equal(ConvolutionRoute.Library, ConvolutionDispatch.Choose(channelsLast, zeros(32, 16, 3, 3), two, one, one, 1));
    }

    [Fact]
    public void Nchw_inputs_oneDNN_gets_wrong_get_a_channels_last_copy_padded_if_need_be()
    {
        long[] one = [1, 1], two = [2, 2], none = [0, 0];
        Assert.Equal(ConvolutionRoute.ChannelsLast, ConvolutionDispatch.Choose(zeros(2, 12, 8, 8), zeros(32, 12, 3, 3), one, one, one, 1));
        Assert.Equal(ConvolutionRoute.ChannelsLast, ConvolutionDispatch.Choose(zeros(2, 40, 8, 8), zeros(64, 40, 3, 3), one, one, one, 1));
        Assert.Equal(ConvolutionRoute.ChannelsLast, ConvolutionDispatch.Choose(zeros(2, 144, 13, 13).requires_grad_(), zeros(96, 144, 3, 3), two, none, one, 1));
        Assert.Equal(ConvolutionRoute.PaddedOutputChannels, ConvolutionDispatch.Choose(MemoryFormat.ChannelsLast(zeros(2, 80, 13, 13)).requires_grad_(), zeros(80, 80, 3, 3), two, none, one, 1));
        Assert.Equal(ConvolutionRoute.Library, ConvolutionDispatch.Choose(zeros(2, 64, 8, 8).requires_grad_(), zeros(64, 64, 3, 3), one, one, one, 1));
        Assert.Equal(ConvolutionRoute.Pointwise, ConvolutionDispatch.Choose(zeros(2, 40, 8, 8), zeros(64, 40, 1, 1), one, none, one, 1)); // 1x1: a matrix product
    }

    [Fact]
    public void Only_inputs_no_larger_than_the_kernel_and_plain_layers_are_unrolled()
    {
        Assert.True(ConvolutionDispatch.Unrollable([1, 8, 3, 3], [8, 8, 3, 3], [1, 1], 1));
        Assert.False(ConvolutionDispatch.Unrollable([1, 8, 4, 4], [8, 8, 3, 3], [1, 1], 1));   // 16 positions > 9 taps
        Assert.False(ConvolutionDispatch.Unrollable([1, 8, 2, 2], [8, 4, 3, 3], [1, 1], 2));   // grouped
        Assert.False(ConvolutionDispatch.Unrollable([1, 8, 2, 2], [8, 8, 3, 3], [2, 2], 1));   // dilated
        Assert.False(ConvolutionDispatch.Unrollable([1, 8, 2, 2], [8, 8, 1, 1], [1, 1], 1));   // 1x1 kernel on a 2x2 map
        // Where it applies, it is chosen only where it pays: maps of 1x1 and 2x2.
        Assert.True(ConvolutionDispatch.UnrollingPays([32, 512, 1, 1]));
        Assert.True(ConvolutionDispatch.UnrollingPays([32, 256, 2, 2]));
        Assert.False(ConvolutionDispatch.UnrollingPays([128, 512, 3, 3]));
        long[] one = [1, 1];
        Assert.Equal(ConvolutionRoute.Library, ConvolutionDispatch.Choose(zeros(32, 512, 3, 3), zeros(512, 512, 3, 3), one, one, one, 1));
        Assert.Equal(ConvolutionRoute.Unrolled, ConvolutionDispatch.Choose(zeros(32, 512, 1, 1), zeros(512, 512, 3, 3), one, one, one, 1));
    }

    [Fact]
    public void A_routed_ResNet_keeps_its_parameters_and_state_dict_keys_and_computes_the_same()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(1);
        using var model = ModelZoo.Get("resnet18").Create(new ModelShape(10, 3, 32));
        model.eval();
        var input = MemoryFormat.ChannelsLast(randn(4, 3, 32, 32));
        // The reference in float64, which libtorch computes without oneDNN (whose plain float32 path is itself wrong for
        // some of these shapes at AVX-512).
        model.to(ScalarType.Float64);
        var before = model.forward(input.to_type(ScalarType.Float64));
        model.to(ScalarType.Float32);
        var keys = model.state_dict().Keys.ToList();
        var parameters = model.parameters().ToList();
        int routed = RoutedConv2d.RouteConvolutions(model);
        Assert.Equal(20, routed); // torchvision's ResNet-18: 17 convolutions plus 3 downsampling ones
        Assert.Equal(keys, model.state_dict().Keys.ToList());
        Assert.True(parameters.Zip(model.parameters()).All(p => ReferenceEquals(p.First, p.Second)));
        Assert.Empty(model.modules().OfType<Conv2d>());
        AssertClose(before, model.forward(input), "logits");
    }
}
