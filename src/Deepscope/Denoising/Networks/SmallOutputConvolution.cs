using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Denoising.Networks;

/// <summary>
/// Works around a libtorch 2.10 CPU bug: the input gradient of a convolution with few output channels (1 to 4) on a
/// contiguous (NCHW) input comes back with NaNs at random (about 1 backward in 30 for 1 channel, 16x16x16x16
/// activations; never in 300 with channels-last input). One NaN gradient ruins Adam's state for good, so the layers
/// that end in one channel (DnCNN's residual, the PatchGAN's logits) take their input channels-last.
/// </summary>
static class SmallOutputConvolution
{
    public static Tensor Guard(Tensor input) => input.requires_grad ? MemoryFormat.ChannelsLast(input) : input;
}
