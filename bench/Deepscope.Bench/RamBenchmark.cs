using System.Diagnostics;
using System.Globalization;
using Deepscope.Models.Attention;
using Deepscope.Runtime;
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
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        int Int(string name, string fallback) => int.Parse(Arg(name, fallback), CultureInfo.InvariantCulture);
        int size = Int("--size", "60"), batch = Int("--batch", "128"), steps = Int("--steps", "20"), warmup = Int("--warmup", "3");
        var threads = Arg("--threads", "");
        TorchRuntime.Configure(threads == "" ? null : int.Parse(threads, CultureInfo.InvariantCulture));
        random.manual_seed(0);
        var model = new RecurrentAttentionModel(new RamOptions { Glimpses = Int("--glimpses", "6"), Patch = Int("--patch", "12"), Scales = Int("--scales", "3") });
        model.train();
        using var optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 1e-3 }.Create([new ParameterGroup("all", model.parameters().ToList())]);
        using var x = rand(batch, 1, size, size);
        using var y = randint(0, 10, [batch]);
        using var generator = new Generator(0);
        var step = new ReinforceStep();
        var clock = new Stopwatch();
        for (int i = 0; i < warmup + steps; i++)
        {
            if (i == warmup) clock.Start();
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var output = model.Forward(x, generator);
            var (loss, _) = step.HybridLoss(output, y, nn.functional.cross_entropy(output.Logits, y));
            loss.backward();
            optimizer.step();
        }
        clock.Stop();
        Console.WriteLine($"ram {size}x{size} glimpses {model.Options.Glimpses} patch {model.Options.Patch} scales {model.Options.Scales} batch {batch} threads {get_num_threads()}: "
            + $"{steps * batch / clock.Elapsed.TotalSeconds:F0} img/s");
        return 0;
    }
}
