using System.Diagnostics;
using Deepscope.Models;
using static TorchSharp.torch;

namespace Deepscope.Training.Throughput;

/// <summary>
/// A convolution shape of the model timed alone, forward and backward (the weight's gradient, and the input's where the
/// model needs it) at the batch the model sees it: by the route the dispatch takes and by libtorch's own convolution,
/// times the number of such layers.
/// </summary>
public sealed record OperatorTime(string Signature, ConvolutionRoute Route, int Count, long EffectiveMacsPerImage, double SecondsPerStep, double LibrarySecondsPerStep,
    bool InputGradient = true)
{
    /// <summary>Training GFLOP/s of this operator from the multiply-adds that meet the input (2 FLOPs each, in 3 passes, or 2 without the input's gradient).</summary>
    public double GflopsPerSecond(int batch) => (InputGradient ? 6.0 : 4.0) * EffectiveMacsPerImage * batch * Count / SecondsPerStep / 1e9;
}

/// <summary>Where a model's training step spends its convolution time, slowest first.</summary>
public static class OperatorProfile
{
    public static IEnumerable<OperatorTime> Time(IReadOnlyList<ConvolutionCall> calls, int batch, int repeats) =>
        calls.GroupBy(c => (c.Signature, c.Route, Padding: c.Padding[0], InputShape: string.Join('x', c.InputShape), c.InputGradient))
            .Select(g =>
            {
                var call = g.First();
                return new OperatorTime(call.Signature, call.Route, g.Count(), call.EffectiveMacsPerImage,
                    g.Count() * Median(call, call.Route, repeats), g.Count() * Median(call, ConvolutionRoute.Library, repeats), call.InputGradient);
            })
            .OrderByDescending(t => t.SecondsPerStep);

    static double Median(ConvolutionCall call, ConvolutionRoute route, int repeats)
    {
        using var scope = NewDisposeScope();
        var x = Runtime.MemoryFormat.ChannelsLast(randn(call.InputShape)).requires_grad_(call.InputGradient);
        var w = randn(call.WeightShape).requires_grad_();
        var upstream = Runtime.MemoryFormat.ChannelsLast(randn(call.OutputShape));
        var times = new double[repeats + 1];
        for (int i = 0; i <= repeats; i++)
        {
            using var step = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            ConvolutionDispatch.Conv2d(x, w, null, call.Stride, call.Padding, call.Dilation, call.Groups, route).backward([upstream]);
            times[i] = clock.Elapsed.TotalSeconds;
            x.grad?.zero_();
            w.grad?.zero_();
        }
        return times.Skip(1).Order().ElementAt(repeats / 2); // the first run builds oneDNN's kernels
    }
}
