using Deepscope.Models;
using Deepscope.Models.Dcf;
using TorchSharp;
using static TorchSharp.torch;

namespace Deepscope.Tests.Dcf;

public class DcfConv2dTests
{
    static ConvGeometry Geometry(long inChannels, long outChannels, int kernel, long stride = 1, long padding = 1, long groups = 1, long dilation = 1) =>
        new(inChannels, outChannels, kernel, [stride, stride], [padding, padding], [dilation, dilation], groups);

    public static TheoryData<int, int, long, long, long, long> Shapes => new()
    {
        // kernel, K, stride, padding, groups, dilation
        { 3, 3, 1, 1, 1, 1 }, { 3, 6, 2, 1, 2, 1 }, { 5, 3, 1, 2, 1, 1 }, { 5, 14, 2, 0, 4, 1 }, { 3, 2, 1, 2, 1, 2 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Both_routes_and_an_ordinary_convolution_with_the_rebuilt_kernel_agree(int kernel, int k, long stride, long padding, long groups, long dilation)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        using var layer = new DcfConv2d(Geometry(8, 12, kernel, stride, padding, groups, dilation), k);
        var input = randn(2, 8, 13, 11);
        var mixed = layer.Forward(input, DcfRoute.BasesThenMix);
        var rebuilt = layer.Forward(input, DcfRoute.RebuiltKernel);
        var reference = nn.functional.conv2d(input, layer.Kernel(), layer.Bias, [stride, stride], [padding, padding], [dilation, dilation], groups);
        Assert.Equal(reference.shape, mixed.shape);
        Assert.True(mixed.allclose(rebuilt, rtol: 0, atol: 1e-5), $"max difference {(mixed - rebuilt).abs().max().ToSingle()}");
        Assert.True(rebuilt.allclose(reference, rtol: 0, atol: 1e-6));
        // Channels-last input (what the trainer feeds) gives the same result.
        var channelsLast = Deepscope.Runtime.MemoryFormat.ChannelsLast(input);
        Assert.True(layer.Forward(channelsLast, DcfRoute.BasesThenMix).allclose(rebuilt, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Both_routes_give_the_same_input_gradient()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        using var layer = new DcfConv2d(Geometry(8, 12, 3), 3);
        Tensor Gradient(DcfRoute route)
        {
            var input = Deepscope.Runtime.MemoryFormat.ChannelsLast(randn(2, 8, 9, 7, generator: new Generator(2))).requires_grad_();
            layer.Forward(input, route).square().sum().backward();
            return input.grad!;
        }
        var mixed = Gradient(DcfRoute.BasesThenMix);
        var rebuilt = Gradient(DcfRoute.RebuiltKernel);
        Assert.True(mixed.allclose(rebuilt, rtol: 1e-4, atol: 1e-4), $"max difference {(mixed - rebuilt).abs().max().ToSingle()}");
    }

    [Fact]
    public void Kernel_is_the_coefficients_combination_of_the_bases()
    {
        using var scope = NewDisposeScope();
        using var layer = new DcfConv2d(Geometry(2, 3, 5), 4, bias: false);
        var kernel = layer.Kernel();
        var bases = FourierBesselBases.ForKernel(5).Values;
        var a = layer.Coefficients;
        double expected = 0;
        for (int b = 0; b < 4; b++) expected += a[2, 1, b].ToSingle() * bases[b, 1, 3];
        Assert.Equal(expected, kernel[2, 1, 1, 3].ToSingle(), 5);
    }

    [Theory]
    [InlineData(true, 16L * 8 * 3 + 16)]
    [InlineData(false, 16L * 8 * 3)]
    public void Parameters_are_out_in_K_plus_bias(bool bias, long count)
    {
        using var layer = new DcfConv2d(Geometry(8, 16, 3), 3, bias);
        Assert.Equal(count, layer.parameters().Sum(p => p.numel()));
        Assert.Contains("bases", layer.state_dict().Keys); // a buffer: saved with the weights, not trained
        using var grouped = new DcfConv2d(Geometry(8, 16, 3, groups: 4), 3, bias: false);
        Assert.Equal(16L * 2 * 3, grouped.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [InlineData(DcfRoute.BasesThenMix)]
    [InlineData(DcfRoute.RebuiltKernel)]
    public void Gradients_reach_the_coefficients_only_when_the_bases_are_fixed(DcfRoute route)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(1);
        using var fixedBases = new DcfConv2d(Geometry(3, 4, 3), 3, route: route);
        fixedBases.Forward(randn(2, 3, 9, 9), route).square().sum().backward();
        Assert.NotNull(fixedBases.Coefficients.grad);
        Assert.True(fixedBases.Coefficients.grad!.abs().sum().ToSingle() > 0);
        Assert.False(fixedBases.Bases.requires_grad);
        Assert.Null(fixedBases.Bases.grad);

        using var learned = new DcfConv2d(Geometry(3, 4, 3), 3, learnableBases: true, route: route);
        learned.Forward(randn(2, 3, 9, 9), route).square().sum().backward();
        Assert.True(learned.Bases.grad!.abs().sum().ToSingle() > 0);
        Assert.Equal(4L * 3 * 3 + 4 + 3 * 9, learned.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Reflect_padding_is_applied_before_either_route()
    {
        using var scope = NewDisposeScope();
        var geometry = Geometry(2, 3, 3) with { PaddingMode = PaddingModes.Reflect };
        using var layer = new DcfConv2d(geometry, 6);
        var input = randn(1, 2, 7, 7);
        var padded = nn.functional.pad(input, [1, 1, 1, 1], PaddingModes.Reflect);
        var reference = nn.functional.conv2d(padded, layer.Kernel(), layer.Bias);
        Assert.True(layer.Forward(input, DcfRoute.BasesThenMix).allclose(reference, rtol: 0, atol: 1e-5));
        Assert.True(layer.Forward(input, DcfRoute.RebuiltKernel).allclose(reference, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Auto_takes_the_route_measured_faster_for_the_shape()
    {
        Assert.Equal(DcfRoute.RebuiltKernel, DcfConv2d.Choose(Geometry(64, 64, 3), 3));
        Assert.Equal(DcfRoute.RebuiltKernel, DcfConv2d.Choose(Geometry(32, 64, 5), 3));
        Assert.Equal(DcfRoute.BasesThenMix, DcfConv2d.Choose(Geometry(256, 256, 3), 3));
        Assert.Equal(DcfRoute.RebuiltKernel, DcfConv2d.Choose(Geometry(256, 256, 3), 6));
        Assert.Equal(DcfRoute.RebuiltKernel, DcfConv2d.Choose(Geometry(256, 256, 3), 3, inputGradient: true));
        using var layer = new DcfConv2d(Geometry(512, 512, 3), 3);
        Assert.Equal((DcfRoute.Auto, DcfRoute.BasesThenMix), (layer.Route, layer.EffectiveRoute));
    }
}
