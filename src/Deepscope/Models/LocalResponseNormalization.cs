using static TorchSharp.torch;

namespace Deepscope.Models;

/// <summary>
/// Local response normalisation across channels, as PyTorch's <c>LocalResponseNorm(size, alpha, beta, k)</c>:
/// x_c / (k + alpha / size * sum of x_j^2 over the window j = c - size/2 .. c + (size-1)/2)^beta. The window sums are one
/// matrix product of the squares with a 0/1 band matrix over channels, read from channels-last memory without a copy;
/// libtorch's own module pads, pools and reshapes a 5-D copy, and was a third of the small AlexNet's training step.
/// No parameters, so a model's state-dict keys do not change.
/// </summary>
public sealed class LocalResponseNormalization(long size, double alpha = 1e-4, double beta = 0.75, double k = 1.0)
    : nn.Module<Tensor, Tensor>(nameof(LocalResponseNormalization))
{
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long channels = input.shape[1];
        var band = new float[channels * channels];
        for (long from = 0; from < channels; from++)
            for (long to = Math.Max(0, from - (size - 1) / 2); to <= Math.Min(channels - 1, from + size / 2); to++)
                band[from * channels + to] = 1;
        // (N, C, H, W) viewed as (N, H, W, C): the channels-last layout makes the product read contiguous rows.
        var windowSums = input.square().permute(0, 2, 3, 1)
            .matmul(tensor(band, [channels, channels], dtype: input.dtype, device: input.device)).permute(0, 3, 1, 2);
        return (input / (windowSums * (alpha / size) + k).pow(beta)).MoveToOuterDisposeScope();
    }
}
