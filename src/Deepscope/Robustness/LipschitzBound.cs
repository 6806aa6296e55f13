using Deepscope.Models.Dcf;
using static TorchSharp.torch;

namespace Deepscope.Robustness;

/// <summary>A layer's largest singular values and the factor it contributes to the network's Lipschitz bound.</summary>
public sealed record LayerSpectrum(string Name, string Kind, double[] LargestSingularValues, double Factor);

/// <summary>
/// Per-layer spectra and the product bound on a feed-forward network's L2 Lipschitz constant (ReLU and max-pooling are
/// 1-Lipschitz). A linear layer contributes its largest singular value; a convolution the largest singular value of
/// its unfolded weight (outputs x inputs k_h k_w; a DCF convolution its rebuilt kernel) times sqrt(ceil(k_h / s_h) ceil(k_w / s_w)), since each input pixel
/// enters at most that many windows; batch norm in evaluation mode its largest |gamma| / sqrt(var + eps). The bound
/// ignores residual additions (a convex aggregation keeps it) and average pooling (at most 1).
/// </summary>
public static class LipschitzBound
{
    public static IReadOnlyList<LayerSpectrum> Layers(nn.Module model, int top = 3)
    {
        using var _ = no_grad();
        var layers = new List<LayerSpectrum>();
        foreach (var (name, module) in model.named_modules().Prepend(("", model)))
        {
            using var scope = NewDisposeScope();
            switch (module)
            {
                case TorchSharp.Modules.Linear linear:
                    layers.Add(Spectrum(name, "linear", linear.weight!, 1, top));
                    break;
                case TorchSharp.Modules.Conv2d conv:
                    layers.Add(Convolution(name, "conv2d", conv.weight!, conv.stride, top));
                    break;
                case Models.RoutedConv2d routed: // a convolution the trainer routed
                    layers.Add(Convolution(name, "conv2d", routed.Weight, routed.Geometry.Stride, top));
                    break;
                case DcfConv2d dcf:
                    layers.Add(Convolution(name, "dcf-conv2d", dcf.Kernel(), dcf.Geometry.Stride, top));
                    break;
                case TorchSharp.Modules.BatchNorm2d norm when norm.running_var is not null:
                    var gain = (norm.weight is null ? ones_like(norm.running_var) : norm.weight.abs()) / (norm.running_var + norm.eps).sqrt();
                    double g = gain.max().item<float>();
                    layers.Add(new LayerSpectrum(name, "batchnorm2d", [g], g));
                    break;
            }
        }
        return layers;
    }

    /// <summary>The product of the layers' factors.</summary>
    public static double Product(IReadOnlyList<LayerSpectrum> layers) => layers.Aggregate(1.0, (p, l) => p * l.Factor);

    static LayerSpectrum Convolution(string name, string kind, Tensor weight, long[] stride, int top)
    {
        double overlap = Math.Ceiling(weight.shape[2] / (double)stride[0]) * Math.Ceiling(weight.shape[3] / (double)stride[1]);
        return Spectrum(name, kind, weight, Math.Sqrt(overlap), top);
    }

    static LayerSpectrum Spectrum(string name, string kind, Tensor weight, double scale, int top)
    {
        var values = linalg.svdvals(weight.detach().view(weight.shape[0], -1).to_type(ScalarType.Float64));
        var largest = values.narrow(0, 0, Math.Min(top, values.shape[0])).data<double>().ToArray();
        return new LayerSpectrum(name, kind, largest, scale * largest[0]);
    }
}
