using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Module = TorchSharp.torch.nn.Module;

namespace Deepscope.Models.Inference;

/// <summary>
/// Folds each evaluation-mode batch norm into the convolution before it, for inference: with s = γ / √(σ² + ε),
/// bn(conv(x)) = conv'(x) where conv' has weight W·s (per output channel) and bias (b − μ)·s + β, and the batch norm
/// becomes an identity, so each such layer costs one pass over its activations less. A pair is a <see cref="Conv2d"/>
/// (or <see cref="RoutedConv2d"/>) and a <see cref="BatchNorm2d"/> of the same parent with one feature per output
/// channel: in a Sequential the batch norm right after the convolution; in other modules the one named after it
/// (conv1 → bn1, conv → bn), which is how torchvision's networks and ours name a batch norm applied to a convolution's
/// output. (A pre-activation network, whose bn1 comes before conv1, would break this naming rule: none is in the zoo.)
/// Every model of <see cref="ModelZoo"/> gives the unfolded outputs to 1e-5 (tests/…/Inference/BatchNormFoldingTests).
/// The folded model is for inference only: its parameters differ and its batch norms no longer learn.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>
    /// Folds every pair of <paramref name="model"/> (whose batch norms are in evaluation mode) except convolutions
    /// named in <paramref name="observed"/> (module paths whose own output a caller reads, which folding would change).
    /// A pair whose parent keeps the batch norm in a field typed <see cref="BatchNorm2d"/> is left as it is. Returns
    /// how many were folded.
    /// </summary>
    public static int Fold(Module model, IReadOnlySet<string>? observed = null)
    {
        using var _ = no_grad();
        return FoldChildren(model, "", observed ?? new HashSet<string>());
    }

    static int FoldChildren(Module parent, string prefix, IReadOnlySet<string> observed)
    {
        int folded = 0;
        var children = parent.named_children().ToList();
        for (int i = 0; i < children.Count; i++)
        {
            var (name, child) = children[i];
            string path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            if (Partner(parent, children, i) is (var normName, BatchNorm2d norm) && !norm.training && norm.running_mean is not null
                && OutputChannels(child) == norm.num_features && !observed.Contains(path))
            {
                var identity = Identity();
                if (ModuleSurgery.NarrowField(parent, norm, identity) is null)
                {
                    FoldInto(parent, name, child, norm);
                    ModuleSurgery.Replace(parent, normName, norm, identity);
                    norm.Dispose();
                    folded++;
                    continue;
                }
                identity.Dispose();
            }
            folded += FoldChildren(child, path, observed);
        }
        return folded;
    }

    /// <summary>
    /// The batch norm applied to child <paramref name="i"/>'s output: in a Sequential (which runs its children in
    /// order) the next child; elsewhere the child named after it (conv → bn, conv2 → bn2), since a module's own forward
    /// decides the order and registration order need not follow it (our BasicBlock registers conv1, conv2, bn1, bn2).
    /// </summary>
    static (string Name, nn.Module Module)? Partner(Module parent, List<(string name, Module module)> children, int i)
    {
        if (parent is Sequential) return i + 1 < children.Count ? children[i + 1] : null;
        string name = children[i].name;
        if (!name.StartsWith("conv", StringComparison.Ordinal)) return null;
        string normName = "bn" + name["conv".Length..];
        return children.FirstOrDefault(c => c.name == normName) is { module: not null } found ? found : null;
    }

    static long? OutputChannels(Module m) => m switch
    {
        Conv2d { transposed: false } conv => conv.out_channels,
        RoutedConv2d routed => routed.Geometry.OutChannels,
        _ => null,
    };

    /// <summary>Scales the convolution's weight in place (its memory layout kept) and gives it the folded bias.</summary>
    static void FoldInto(Module parent, string name, Module convolution, BatchNorm2d norm)
    {
        var (weight, bias) = convolution switch
        {
            Conv2d conv => (conv.weight!, conv.bias),
            RoutedConv2d routed => (routed.Weight, routed.Bias),
            _ => throw new InvalidOperationException($"{convolution.GetType().Name} is not a convolution"),
        };
        using var scope = NewDisposeScope();
        var scale = norm.running_var!.add(norm.eps).rsqrt_();
        if (norm.weight is not null) scale = scale.mul_(norm.weight);
        var shift = bias is null ? norm.running_mean!.neg() : bias.sub(norm.running_mean!);
        shift = shift.mul_(scale);
        if (norm.bias is not null) shift = shift.add_(norm.bias);
        weight.mul_(scale.view(-1, 1, 1, 1));
        if (bias is not null)
        {
            bias.copy_(shift);
            return;
        }
        var newBias = new Parameter(shift.detach().clone().MoveToOuterDisposeScope(), requires_grad: false);
        switch (convolution)
        {
            case Conv2d plain: plain.bias = newBias; break;
            case RoutedConv2d routed:
                // RoutedConv2d has no bias to set: a biased Conv2d sharing its weight is routed in its place.
                var g = routed.Geometry;
                var conv = Conv2d(g.InChannels, g.OutChannels, (g.KernelSize, g.KernelSize), (g.Stride[0], g.Stride[1]), (g.Padding[0], g.Padding[1]),
                    (g.Dilation[0], g.Dilation[1]), g.PaddingMode, g.Groups, bias: true);
                conv.weight = routed.Weight;
                conv.bias = newBias;
                ModuleSurgery.Replace(parent, name, routed, new RoutedConv2d(conv));
                break;
        }
    }
}
