using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace Deepscope.Models;

/// <summary>The geometry of a 2-D convolution, as torch's Conv2d has it (square kernel).</summary>
public sealed record ConvGeometry(long InChannels, long OutChannels, int KernelSize, long[] Stride, long[] Padding, long[] Dilation, long Groups,
    PaddingModes PaddingMode = PaddingModes.Zeros)
{
    public static ConvGeometry Of(Conv2d conv)
    {
        long[] padding = conv.padding ?? (conv.padding_type == TorchSharp.Padding.Same
            ? [conv.dilation[0] * (conv.kernel_size[0] - 1) / 2, conv.dilation[1] * (conv.kernel_size[1] - 1) / 2]
            : [0, 0]);
        return new(conv.in_channels, conv.out_channels, (int)conv.kernel_size[0], conv.stride, padding, conv.dilation, conv.groups, conv.padding_mode);
    }

    /// <summary>True for a square kernel, the only kind this record describes.</summary>
    public static bool IsSquare(Conv2d conv) => conv.kernel_size.Length == 2 && conv.kernel_size[0] == conv.kernel_size[1];
}
