using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Models.Inference;

/// <summary>
/// Readies a network whose weights are loaded for inference, as every place that runs one does (<c>features cnn</c>,
/// <c>inspect predict</c>, <c>segment predict</c>, the studies' extractors, <c>bench train --inference</c>):
/// evaluation mode; batch norms folded into their convolutions (<see cref="BatchNormFolding"/>); convolutions routed
/// through <see cref="ConvolutionDispatch"/>, whose rules keep the shapes oneDNN computes wrongly on this CPU off its
/// faulty paths; convolution weights stored channels-last, the layout in which oneDNN takes its fast
/// direct-convolution path (inputs are given the same layout by the callers); and freed heap memory kept for the next batch (<see cref="NativeHeap.ReuseFreedMemory"/>),
/// since every batch allocates the same activation sizes again.
/// </summary>
public static class InferencePreparation
{
    /// <summary>
    /// Prepares <paramref name="model"/> in place; <paramref name="observed"/> names modules whose own outputs the
    /// caller reads. <paramref name="fold"/> and <paramref name="channelsLast"/> exist to measure each step alone
    /// (<c>deepscope bench infer --no-fold --nchw</c>). Returns the batch norms folded.
    /// </summary>
    public static int Prepare(nn.Module model, IReadOnlySet<string>? observed = null, bool fold = true, bool channelsLast = true)
    {
        model.eval();
        int folded = fold ? BatchNormFolding.Fold(model, observed) : 0;
        RoutedConv2d.RouteConvolutions(model);
        if (channelsLast)
            using (no_grad())
                foreach (var m in model.modules())
                    if (((m as TorchSharp.Modules.Conv2d)?.weight ?? (m as RoutedConv2d)?.Weight) is { } weight) weight.set_(MemoryFormat.ChannelsLast(weight));
        NativeHeap.ReuseFreedMemory();
        return folded;
    }
}
