using Deepscope.Models;
using Deepscope.Models.Dcf;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Tests.Dcf;

public class DcfConversionTests
{
    [Fact]
    public void ResNet18_keeps_its_1x1_shortcuts_and_has_about_a_third_of_the_convolution_parameters()
    {
        random.manual_seed(0);
        using var regular = ModelZoo.resnet18_cifar();
        long regularConvolutions = DcfConversion.ConvolutionParameters(regular);
        using var dcf = DcfConversion.Convert(ModelZoo.resnet18_cifar(), new DcfOptions { BasisCount = 3 });
        var modules = dcf.named_modules().ToList();
        Assert.Equal(17, modules.Count(m => m.module is DcfConv2d));
        Assert.All(modules.Select(m => m.module).OfType<Conv2d>(), c => Assert.Equal(1, c.kernel_size[0]));
        Assert.Contains("layer2.0.conv1.coefficients", dcf.state_dict().Keys);
        Assert.Contains("layer2.0.downsample.0.weight", dcf.state_dict().Keys);
        // The strided first convolution of a stage keeps its stride: the output is still 10 logits from 32x32.
        var stride = modules.Single(m => m.name == "layer2.0.conv1").module;
        Assert.Equal(2, ((DcfConv2d)stride).Geometry.Stride[0]);
        using (var output = dcf.call(randn(2, 3, 32, 32))) Assert.Equal(new long[] { 2, 10 }, output.shape);
        // 3x3 kernels become 3 coefficients: 3/9 of the parameters, except the three 1x1 shortcuts that stay.
        long dcfConvolutions = DcfConversion.ConvolutionParameters(dcf);
        long shortcuts = 64 * 128 + 128 * 256 + 256 * 512;
        Assert.Equal((regularConvolutions - shortcuts) / 3 + shortcuts, dcfConvolutions);
        Assert.InRange(dcfConvolutions / (double)regularConvolutions, 0.33, 0.35);
    }

    [Fact]
    public void The_converted_network_computes_with_its_new_layers()
    {
        random.manual_seed(0);
        using var model = DcfConversion.Convert(ModelZoo.lenet(), new DcfOptions { BasisCount = 3 });
        model.eval();
        var dcf = model.named_modules().Where(m => m.module is DcfConv2d).Select(m => (DcfConv2d)m.module).ToList();
        Assert.Equal(2, dcf.Count);
        Assert.Equal((5, 3), (dcf[0].Geometry.KernelSize, dcf[0].BasisCount));
        using var input = randn(3, 1, 28, 28);
        using var before = model.call(input);
        using (no_grad()) dcf[1].Coefficients.mul_(2);
        using var after = model.call(input);
        Assert.False(before.allclose(after)); // the forward pass reaches the replaced fields
        // The zoo entry is the same conversion; a suffix sets K and round-trips through ModelZoo.Get.
        var spec = ModelZoo.Get("dcf-lenet-k5");
        Assert.Equal("dcf-lenet-k5", spec.Name);
        long lenetFc = ModelZoo.ParameterCount(ModelZoo.Get("lenet"), spec.DefaultShape) - (32 * 25 + 64 * 32 * 25);
        Assert.Equal(lenetFc + 32 * 5 + 64 * 32 * 5, ModelZoo.ParameterCount(spec, spec.DefaultShape));
        Assert.Equal("dcf-resnet18-kmax", DcfNetworks.WithBasisCount(ModelZoo.Get("dcf-resnet18"), null).Name);
    }

    sealed class TypedField : Module<Tensor, Tensor>
    {
        public readonly Conv2d conv = Conv2d(2, 2, 3, padding: 1);
        public TypedField() : base(nameof(TypedField)) => RegisterComponents();
        public override Tensor forward(Tensor input) => conv.forward(input);
    }

    [Fact]
    public void Sequential_and_grouped_convolutions_convert_and_a_Conv2d_typed_field_is_a_clear_error()
    {
        using var sequential = Sequential(Conv2d(4, 8, 3, padding: 1, groups: 2), ReLU(), Conv2d(8, 8, 5, stride: 2, padding: 2, bias: false), Conv2d(8, 2, 1));
        DcfConversion.Convert(sequential, new DcfOptions { BasisCount = null });
        var layers = sequential.children().ToList();
        Assert.Equal((6, 2L), (((DcfConv2d)layers[0]).BasisCount, ((DcfConv2d)layers[0]).Geometry.Groups));
        Assert.Equal(14, ((DcfConv2d)layers[2]).BasisCount);
        Assert.Null(((DcfConv2d)layers[2]).Bias);
        Assert.IsType<Conv2d>(layers[3]);
        using (var output = sequential.call(randn(1, 4, 10, 10))) Assert.Equal(new long[] { 1, 2, 5, 5 }, output.shape);

        using var typed = new TypedField();
        var error = Assert.Throws<DeepscopeException>(() => DcfConversion.Convert(typed));
        Assert.Contains("TypedField.conv", error.Message);
        Assert.IsType<Conv2d>(typed.named_children().Single().module); // unchanged
        Assert.Throws<DeepscopeException>(() => DcfConversion.Convert(ModelZoo.lenet(), new DcfOptions { BasisCount = 7, KernelSizes = [3] }));
    }
}
