using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Models.Dcf;

/// <summary>How a DCF convolution is evaluated; both give the same result (to float rounding).</summary>
public enum DcfRoute
{
    /// <summary>The route measured faster for the layer's shape and input (<see cref="DcfConv2d.Choose"/>).</summary>
    Auto,
    /// <summary>Convolve every input channel with the K bases, then mix the in x K maps by a 1x1 convolution.</summary>
    BasesThenMix,
    /// <summary>Rebuild the (out, in, k, k) kernel as coefficients x bases, then run one ordinary convolution.</summary>
    RebuiltKernel,
}

/// <summary>
/// A decomposed convolutional filter (DCFNet, Qiu et al. 2018): every (out, in) kernel is a combination of the first K
/// Fourier-Bessel bases, W[o, i] = sum_k a[o, i, k] psi_k, so the layer learns out x in/groups x K coefficients
/// (<c>coefficients</c>, plus <c>bias</c>) instead of out x in/groups x k x k weights. The bases are a fixed buffer
/// (no gradient) or, with <c>learnableBases</c>, a parameter. Stride, padding, dilation, groups and padding mode are
/// those of the convolution it stands for.
/// </summary>
public sealed class DcfConv2d : Module<Tensor, Tensor>
{
    readonly Tensor bases;
    readonly Parameter coefficients;
    readonly Parameter? bias;

    public ConvGeometry Geometry { get; }
    public int BasisCount { get; }
    public DcfRoute Route { get; }
    /// <summary>The route this layer runs for an input without gradient, inference's (<see cref="Route"/> with Auto resolved).</summary>
    public DcfRoute EffectiveRoute { get; }

    public DcfConv2d(ConvGeometry geometry, int basisCount, bool bias = true, bool learnableBases = false, DcfRoute route = DcfRoute.Auto) : base(nameof(DcfConv2d))
    {
        var fb = FourierBesselBases.ForKernel(geometry.KernelSize);
        Geometry = geometry;
        BasisCount = fb.CheckCount(basisCount);
        Route = route;
        EffectiveRoute = route == DcfRoute.Auto ? Choose(geometry, BasisCount) : route;
        var values = fb.ToTensor(BasisCount);
        bases = learnableBases ? new Parameter(values) : values;
        long fanIn = geometry.InChannels / geometry.Groups;
        coefficients = new Parameter(empty(geometry.OutChannels, fanIn, BasisCount));
        // torchvision's Kaiming normal (fan_out, ReLU) for the rebuilt kernel: its expected energy per (out, in) pair
        // is var(a) * sum_k |psi_k|^2, which is set to the 2 / fan_out (times k^2 entries) of an ordinary kernel.
        double basisEnergy = fb.Take(BasisCount).Cast<double>().Sum(v => v * v);
        using (no_grad())
        {
            coefficients.normal_(0, Math.Sqrt(2.0 / (geometry.OutChannels * basisEnergy)));
            if (bias)
            {
                double bound = 1 / Math.Sqrt(fanIn * BasisCount);
                this.bias = new Parameter(empty(geometry.OutChannels).uniform_(-bound, bound));
            }
        }
        RegisterComponents();
    }

    /// <summary>The coefficients, (out, in / groups, K).</summary>
    public Parameter Coefficients => coefficients;
    /// <summary>The bases, (K, k, k).</summary>
    public Tensor Bases => bases;
    public Parameter? Bias => bias;

    /// <summary>The kernel the coefficients stand for, (out, in / groups, k, k).</summary>
    public Tensor Kernel()
    {
        int k = Geometry.KernelSize;
        using var flat = bases.reshape(BasisCount, k * k);
        using var product = coefficients.matmul(flat);
        return product.reshape(Geometry.OutChannels, Geometry.InChannels / Geometry.Groups, k, k);
    }

    public override Tensor forward(Tensor input) =>
        Forward(input, Route == DcfRoute.Auto ? Choose(Geometry, BasisCount, input.requires_grad) : Route);

    /// <summary>The layer's output by a given route (the two agree to float rounding).</summary>
    public Tensor Forward(Tensor input, DcfRoute route)
    {
        using var scope = NewDisposeScope();
        var g = Geometry;
        var padding = g.Padding;
        var x = input;
        if (g.PaddingMode != PaddingModes.Zeros)
        {
            x = functional.pad(x, [padding[1], padding[1], padding[0], padding[0]], g.PaddingMode);
            padding = [0, 0];
        }
        Tensor output;
        if (route == DcfRoute.BasesThenMix)
        {
            long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
            int k = g.KernelSize;
            using var filters = bases.reshape(BasisCount, 1, k, k);
            // Through the dispatch: oneDNN's input gradient for these single-channel maps is wrong (ConvolutionDispatch).
            var responses = ConvolutionDispatch.Conv2d(x.contiguous().reshape(n * c, 1, h, w), filters, null, g.Stride, padding, g.Dilation, 1);
            responses = responses.reshape(n, c * BasisCount, responses.shape[2], responses.shape[3]);
            using var mix = coefficients.reshape(g.OutChannels, c / g.Groups * BasisCount, 1, 1);
            output = ConvolutionDispatch.Conv2d(responses, mix, bias, [1, 1], [0, 0], [1, 1], g.Groups);
        }
        else
        {
            output = ConvolutionDispatch.Conv2d(x, Kernel(), bias, g.Stride, padding, g.Dilation, g.Groups);
        }
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The route measured faster (bench: <c>Deepscope.Bench dcf-routes</c>, forward + backward, batch 32, channels-last;
    /// docs/dcfnet.md, "Two routes"). Rebuilding the kernel costs one small matrix product and then runs oneDNN's
    /// ordinary convolution: faster for LeNet's layers and ResNet-18's 64- and 128-channel stages, where convolving each
    /// input channel with the bases (a K-fold larger intermediate) costs more than it saves. At 256 and 512 channels on
    /// 8x8 and 4x4 maps, the 1x1 mixing's K / k^2 of the multiply-adds wins, but only for an input without gradient.
    /// For an input with one (every layer but the first in training), the bases' single-channel convolution needs its
    /// input gradient, which the dispatch takes off oneDNN (wrong there) onto the unfolded product: inside a training
    /// network that made the route several times slower.
    /// </summary>
    public static DcfRoute Choose(ConvGeometry geometry, int basisCount, bool inputGradient = false) =>
        !inputGradient && geometry.OutChannels >= 256 && geometry.Groups == 1 && 3 * basisCount <= geometry.KernelSize * geometry.KernelSize
            ? DcfRoute.BasesThenMix : DcfRoute.RebuiltKernel;
}
