using System.Diagnostics;
using Deepscope.Models.Attention;
using Deepscope.Training;
using Deepscope.Training.Steps;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// RAM training throughput, images/s: one step = zero_grad, forward (T glimpses), the hybrid loss (cross-entropy +
/// REINFORCE with a baseline + the baseline's MSE), backward, Adam step, on random images, as
/// bench/peers/ram_train.py does in PyTorch with the same model.
/// </summary>
public sealed class RamBenchmark : IBenchmark
{
    public string Name => "ram";
    public string Description => "RAM training step images/s: [--size 60] [--glimpses 6] [--patch 12] [--scales 3] [--batch 128] [--steps 20] [--warmup 3] [--threads N]";

    public int Run(string[] args)
    {
        var a = new BenchArguments(args);
        int size = a.Int("--size", 60), batch = a.Int("--batch", 128), steps = a.Int("--steps", 20), warmup = a.Int("--warmup", 3);
        a.ConfigureThreadsAndSeed();
        var model = new RecurrentAttentionModel(new RamOptions { Glimpses = a.Int("--glimpses", 6), Patch = a.Int("--patch", 12), Scales = a.Int("--scales", 3) });
        model.train();
        using var optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 1e-3 }.Create([new ParameterGroup("all", model.parameters().ToList())]);
        using var x = rand(batch, 1, size, size);
        using var y = randint(0, 10, [batch]);
        using var generator = new Generator(0);
        var step = new ReinforceStep();
        var clock = new Stopwatch();
        var phases = new double[3]; // forward with the loss, backward, optimizer
        for (int i = 0; i < warmup + steps; i++)
        {
            if (i == warmup) clock.Start();
            using var scope = NewDisposeScope();
            optimizer.ClearGradients();
            long start = Stopwatch.GetTimestamp();
            var output = model.Forward(x, generator);
            var (loss, _) = step.HybridLoss(output, y, nn.functional.cross_entropy(output.Logits, y));
            long forwardDone = Stopwatch.GetTimestamp();
            loss.backward();
            long backwardDone = Stopwatch.GetTimestamp();
            optimizer.step();
            if (i < warmup) continue;
            phases[0] += Stopwatch.GetElapsedTime(start, forwardDone).TotalSeconds;
            phases[1] += Stopwatch.GetElapsedTime(forwardDone, backwardDone).TotalSeconds;
            phases[2] += Stopwatch.GetElapsedTime(backwardDone).TotalSeconds;
        }
        clock.Stop();
        Console.WriteLine($"ram {size}x{size} glimpses {model.Options.Glimpses} patch {model.Options.Patch} scales {model.Options.Scales} batch {batch} threads {get_num_threads()}: "
            + $"{steps * batch / clock.Elapsed.TotalSeconds:F0} img/s; per step forward {phases[0] / steps * 1e3:F1} ms, backward {phases[1] / steps * 1e3:F1} ms, optimizer {phases[2] / steps * 1e3:F1} ms");
        return 0;
    }
}
