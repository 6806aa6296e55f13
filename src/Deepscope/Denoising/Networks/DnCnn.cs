using static TorchSharp.torch;

namespace Deepscope.Denoising.Networks;

/// <summary>
/// DnCNN (Zhang, Zuo, Chen, Meng, Zhang, IEEE TIP 2017): <paramref name="depth"/> 3x3 convolutions of
/// <paramref name="width"/> channels, zero padding so the image keeps its size, ReLU between them, batch norm on the
/// middle ones when <paramref name="batchNorm"/> (training; the published models have it folded into the convolutions'
/// weights and biases). Residual learning: the layers estimate the noise and <see cref="forward"/> returns the input
/// minus that estimate, so a plain MSE against the clean image is the paper's loss.
/// </summary>
public sealed class DnCnn : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> layers;
    readonly nn.Module<Tensor, Tensor> last;

    public DnCnn(int depth = 17, int width = 64, bool batchNorm = true, int channels = 1) : base(nameof(DnCnn))
    {
        if (depth < 2) throw new DeepscopeException($"DnCNN needs at least 2 layers, got {depth}");
        (Depth, Width, BatchNorm, Channels) = (depth, width, batchNorm, channels);
        var modules = new List<nn.Module<Tensor, Tensor>>
        {
            nn.Conv2d(channels, width, 3, padding: 1),
            nn.ReLU(inplace: true),
        };
        for (int i = 1; i < depth - 1; i++)
        {
            modules.Add(nn.Conv2d(width, width, 3, padding: 1, bias: !batchNorm));
            if (batchNorm) modules.Add(nn.BatchNorm2d(width));
            modules.Add(nn.ReLU(inplace: true));
        }
        layers = nn.Sequential(modules);
        last = nn.Conv2d(width, channels, 3, padding: 1, bias: !batchNorm);
        RegisterComponents();
    }

    public int Depth { get; }
    public int Width { get; }
    public bool BatchNorm { get; }
    public int Channels { get; }

    /// <summary>The convolutions in order (for loading published weights).</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Convolutions =>
        [.. layers.children().OfType<TorchSharp.Modules.Conv2d>(), last];

    /// <summary>The noise the layers estimate, before the residual subtraction.</summary>
    public Tensor Residual(Tensor noisy) => last.forward(SmallOutputConvolution.Guard(layers.forward(noisy)));

    public override Tensor forward(Tensor noisy) => noisy - Residual(noisy);

    /// <summary>Each output pixel sees a square of this side of the input (3x3 convolutions: 2 depth + 1).</summary>
    public int ReceptiveField => 2 * Depth + 1;
}
