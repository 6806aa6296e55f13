using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Module = TorchSharp.torch.nn.Module;

namespace Deepscope.Models;

/// <summary>
/// A torch Conv2d evaluated by <see cref="ConvolutionDispatch.Conv2d"/>: the same parameters (the very same tensors, under
/// the same state-dict keys), the same results, a faster route for the shapes that have one. The trainer routes every
/// model it trains (<see cref="RouteConvolutions"/>).
/// </summary>
public sealed class RoutedConv2d : Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;

    public ConvGeometry Geometry { get; }

    public RoutedConv2d(Conv2d conv) : base(nameof(RoutedConv2d))
    {
        Geometry = ConvGeometry.Of(conv);
        weight = conv.weight ?? throw new ArgumentException("the convolution has no weight", nameof(conv));
        bias = conv.bias;
        RegisterComponents();
    }

    public Parameter Weight => weight;
    public Parameter? Bias => bias;

    public override Tensor forward(Tensor input) =>
        ConvolutionDispatch.Conv2d(input, weight, bias, Geometry.Stride, Geometry.Padding, Geometry.Dilation, Geometry.Groups);

    /// <summary>
    /// Puts a <see cref="RoutedConv2d"/> in place of every zero-padded square Conv2d of <paramref name="model"/> whose
    /// parent can hold one (a field typed Conv2d keeps its convolution); returns how many were routed.
    /// </summary>
    public static int RouteConvolutions(Module model)
    {
        int routed = 0;
        foreach (var (name, child) in model.named_children().ToList())
        {
            if (child is Conv2d conv && Routable(conv))
            {
                var replacement = new RoutedConv2d(conv);
                // The replaced Conv2d is not disposed: that would dispose the parameters it shares with its replacement.
                if (ModuleSurgery.NarrowField(model, conv, replacement) is null)
                {
                    ModuleSurgery.Replace(model, name, conv, replacement);
                    routed++;
                }
            }
            else routed += RouteConvolutions(child);
        }
        return routed;
    }

    static bool Routable(Conv2d conv) =>
        ConvGeometry.IsSquare(conv) && !conv.transposed && conv.padding_mode == PaddingModes.Zeros && conv.weight is not null
        && (conv.padding is not null || conv.padding_type == TorchSharp.Padding.Valid || conv.kernel_size[0] % 2 == 1);
}
