using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Module = TorchSharp.torch.nn.Module;

namespace Deepscope.Models.Dcf;

/// <summary>
/// What <see cref="DcfConversion.Convert"/> does: the number of bases K kept (null: all the kernel size has, 6 for 3x3
/// and 14 for 5x5), the kernel sizes converted, whether the bases are learned and which evaluation route runs.
/// </summary>
public sealed record DcfOptions
{
    /// <summary>Bases kept per kernel; null keeps all of them.</summary>
    public int? BasisCount { get; init; } = 3;
    public IReadOnlyList<int> KernelSizes { get; init; } = [3, 5];
    public bool LearnableBases { get; init; }
    public DcfRoute Route { get; init; } = DcfRoute.Auto;

    /// <summary>K for a kernel size: <see cref="BasisCount"/>, or all of its bases.</summary>
    public int BasisCountFor(int kernelSize) => BasisCount ?? FourierBesselBases.ForKernel(kernelSize).Count;
}

/// <summary>
/// Turns a model's ordinary square convolutions (3x3 and 5x5 by default) into <see cref="DcfConv2d"/> layers with the
/// same channels, stride, padding, dilation, groups, padding mode and bias, fresh coefficients and the Fourier-Bessel
/// bases: DCF-LeNet, DCF-ResNet and DCF-VGG come from the ordinary definitions. Works on any module tree: a convolution
/// is replaced where its parent holds it (a Sequential's list or a registered sub-module) and in every field of the
/// parent that refers to it, so the parent's own forward calls the new layer. Such a field must be typed
/// <c>Module&lt;Tensor, Tensor&gt;</c> (torch's Conv2d class is sealed); a field typed Conv2d is reported as an error.
/// </summary>
public static class DcfConversion
{
    /// <summary>Converts <paramref name="model"/> in place and returns it; the replaced convolutions are disposed.</summary>
    public static T Convert<T>(T model, DcfOptions? options = null) where T : Module
    {
        options ??= new DcfOptions();
        // A K that a kernel size cannot give is rejected before anything changes.
        foreach (var size in options.KernelSizes) FourierBesselBases.ForKernel(size).CheckCount(options.BasisCountFor(size));
        ConvertChildren(model, options);
        return model;
    }

    /// <summary>True for the convolutions <see cref="Convert"/> replaces under <paramref name="options"/>.</summary>
    public static bool IsConverted(Conv2d conv, DcfOptions options) =>
        conv.kernel_size.Length == 2 && conv.kernel_size[0] == conv.kernel_size[1] && options.KernelSizes.Contains((int)conv.kernel_size[0]) && !conv.transposed;

    static void ConvertChildren(Module parent, DcfOptions options)
    {
        foreach (var (name, child) in parent.named_children().ToList())
        {
            if (child is Conv2d conv && IsConverted(conv, options))
            {
                var geometry = ConvGeometry.Of(conv);
                var dcf = new DcfConv2d(geometry, options.BasisCountFor(geometry.KernelSize), conv.bias is not null, options.LearnableBases, options.Route);
                if (ModuleSurgery.NarrowField(parent, conv, dcf) is { } field)
                {
                    dcf.Dispose();
                    throw new DeepscopeException($"cannot convert {parent.GetType().Name}.{field.Name} to a DCF convolution: the field is typed {field.FieldType.Name}; " +
                        "type it Module<Tensor, Tensor> so another convolution can take its place");
                }
                ModuleSurgery.Replace(parent, name, conv, dcf);
                conv.Dispose();
            }
            else ConvertChildren(child, options);
        }
    }

    /// <summary>Parameters of the model's convolutions (ordinary and DCF), the figure DCFNet's compression refers to.</summary>
    public static long ConvolutionParameters(Module model) => model.modules().Sum(m => m switch
    {
        TorchSharp.Modules.Conv2d or RoutedConv2d or DcfConv2d => m.parameters(recurse: false).Sum(p => p.numel()),
        _ => 0L,
    });
}
