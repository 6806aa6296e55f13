using System.Diagnostics;
using Deepscope.Models;
using Deepscope.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Deepscope.Training.Throughput;

/// <summary>Training speed of one model, per phase, with its arithmetic rate against the machine's peak.</summary>
public sealed record ThroughputReport(string Model, long[] InputShape, int Batch, int Steps, int Threads, bool PlainConvolutions,
    double ImagesPerSecond, double ForwardSeconds, double BackwardSeconds, double OptimizerSeconds, long MacsPerImage, long EffectiveMacsPerImage,
    MachinePeak Peak, double MatmulGflopsPerSecond, IReadOnlyList<OperatorTime> TopOperators)
{
    /// <summary>Training GFLOP/s from the model's multiply-adds as defined (thop's and fvcore's count): forward, input
    /// gradient and weight gradient, 2 FLOPs per multiply-add.</summary>
    public double GflopsPerSecond => 6.0 * MacsPerImage * ImagesPerSecond / 1e9;
    /// <summary>The same from the multiply-adds that meet the input (no padding taps): the arithmetic actually needed.</summary>
    public double EffectiveGflopsPerSecond => 6.0 * EffectiveMacsPerImage * ImagesPerSecond / 1e9;
    public double PercentOfPeak => 100 * GflopsPerSecond / Peak.GflopsPerSecond;
    public double EffectivePercentOfPeak => 100 * EffectiveGflopsPerSecond / Peak.GflopsPerSecond;
    /// <summary>Effective GFLOP/s against what a large matrix product reaches here (MKL may use wider vectors than oneDNN's cap).</summary>
    public double EffectivePercentOfMatmul => 100 * EffectiveGflopsPerSecond / MatmulGflopsPerSecond;
}

/// <summary>
/// Times training steps as the trainer runs them (zero_grad; forward and cross-entropy; backward; SGD with momentum 0.9
/// and weight decay 5e-4) on random channels-last batches, as bench/peers/torch_train_throughput.py does in PyTorch, and
/// profiles the model's convolutions (<see cref="OperatorProfile"/>).
/// </summary>
public static class TrainingThroughput
{
    public static ThroughputReport Measure(string name, nn.Module<Tensor, Tensor> model, long[] inputShape, long classes, ThroughputOptions options, MachinePeak peak)
    {
        random.manual_seed(0);
        NativeHeap.ReuseFreedMemory(); // as the trainer does
        if (!options.PlainConvolutions) RoutedConv2d.RouteConvolutions(model);
        using var x = MemoryFormat.ChannelsLast(randn([options.Batch, .. inputShape]));
        using var y = randint(0, classes, [options.Batch]);
        var (rate, phases) = TimeSteps(model, x, y, options.Warmup, options.Steps);
        // Counted through the dispatch, which records what it runs; routing after the timed steps changes no value.
        RoutedConv2d.RouteConvolutions(model);
        var calls = RecordConvolutions(model, x, training: true);
        var top = options.TopOperators > 0 ? OperatorProfile.Time(calls, options.Batch, options.OperatorRepeats).Take(options.TopOperators).ToList() : [];
        return new ThroughputReport(name, inputShape, options.Batch, options.Steps, get_num_threads(), options.PlainConvolutions, rate,
            phases[0], phases[1], phases[2],
            MacsPerImage(model, calls, options.Batch, c => c.MacsPerImage), MacsPerImage(model, calls, options.Batch, c => c.EffectiveMacsPerImage),
            peak, MachinePeak.MeasuredMatmulGflops(), top);
    }

    /// <summary>Seconds per phase of training steps on one batch</summary>
    /// <returns>Images/s over the timed steps, and mean seconds of (zero_grad + forward + loss, backward, optimizer step).</returns>
    /// <param name="context">Wraps each forward pass (autocast, for one).</param>
    public static (double ImagesPerSecond, double[] PhaseSeconds) TimeSteps(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int warmup, int steps,
        Func<IDisposable?>? context = null)
    {
        model.train();
        using var optimizer = new OptimizerOptions { LearningRate = 0.01, Momentum = 0.9, WeightDecay = 5e-4 }.Create([new ParameterGroup("all", model.parameters().ToList())]);
        var phases = new double[3];
        var clock = new Stopwatch();
        void Step(bool timed)
        {
            using var scope = NewDisposeScope();
            clock.Restart();
            optimizer.ClearGradients();
            Tensor loss;
            using (context?.Invoke())
                loss = nn.functional.cross_entropy(model.forward(x), y);
            if (timed) phases[0] += clock.Elapsed.TotalSeconds;
            clock.Restart();
            loss.backward();
            if (timed) phases[1] += clock.Elapsed.TotalSeconds;
            clock.Restart();
            optimizer.step();
            if (timed) phases[2] += clock.Elapsed.TotalSeconds;
        }
        for (int i = 0; i < warmup; i++) Step(false);
        var wall = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step(true);
        return (x.shape[0] * steps / wall.Elapsed.TotalSeconds, [.. phases.Select(p => p / steps)]);
    }

    /// <summary>Multiply-adds per image of one forward pass: the convolutions the dispatch ran plus every linear layer once.</summary>
    public static long MacsPerImage(nn.Module model, IReadOnlyList<ConvolutionCall> calls, long batch, Func<ConvolutionCall, long> macs) =>
        calls.Sum(c => macs(c) * c.InputShape[0]) / batch + model.modules().OfType<Linear>().Sum(l => l.in_features * l.out_features);

    /// <summary>
    /// The convolutions one forward pass of <paramref name="x"/> runs: with gradients as a training step runs it (the
    /// routes, and which inputs need a gradient, are the training step's), or without.
    /// </summary>
    public static List<ConvolutionCall> RecordConvolutions(nn.Module<Tensor, Tensor> model, Tensor x, bool training = false)
    {
        var calls = new List<ConvolutionCall>();
        using var _ = training ? enable_grad() : no_grad();
        using var scope = NewDisposeScope();
        using (ConvolutionDispatch.Record(calls)) model.forward(x);
        return calls;
    }
}
