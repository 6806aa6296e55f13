using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Deepscope.Models.Text;
using Deepscope.Runtime;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// bc-LSTM training throughput, dialogues/s, as bench/peers/torch_bclstm_train.py measures the same model in PyTorch:
/// one step = zero_grad, forward, cross-entropy, backward, gradient clipping (norm 5), Adam step, on a fixed set of
/// random dialogues in the per-turn layout (3 turns x 20 tokens, turn lengths 1 + geometric with mean 5.5 as in
/// EmoContext, padding id 0), the same bytes in both (a SplitMix64-free LCG both implement).
/// </summary>
public sealed class TextTrainingBenchmark : IBenchmark
{
    public string Name => "text-training";
    public string Description => "bc-LSTM training dialogues/s: [--batch 128] [--steps 20] [--warmup 3] [--threads N] [--vocabulary 12000] [--embedding 100] [--hidden 64]";

    public int Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        int Int(string name, string fallback) => int.Parse(Arg(name, fallback), CultureInfo.InvariantCulture);
        int batch = Int("--batch", "128"), steps = Int("--steps", "20"), warmup = Int("--warmup", "3");
        var threads = Arg("--threads", "");
        TorchRuntime.Configure(threads == "" ? null : int.Parse(threads, CultureInfo.InvariantCulture));
        NativeHeap.ReuseFreedMemory();  // as Trainer.Fit does
        random.manual_seed(0);
        var size = new DialogueModelSize(Int("--vocabulary", "12000"), Int("--embedding", "100"), Int("--hidden", "64"), Int("--hidden", "64"), 0.3);
        using var model = new BcLstm(size);
        model.train();
        var optimizerOptions = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 2e-3 };
        using var optimizer = optimizerOptions.Create([new ParameterGroup("all", model.parameters().ToList())]);
        const int turnTokens = 20, batches = 8;
        using var ids = tensor(Dialogues(batches * batch, turnTokens, size.Vocabulary)).view(batches * batch, 3 * turnTokens);
        using var labels = arange(batches * batch).remainder(4);
        // Seconds per phase of the timed steps (CPU ops run synchronously, so the laps are exact): where the time goes.
        var phases = new double[4];
        var lap = new Stopwatch();
        void Lap(int phase)
        {
            phases[phase] += lap.Elapsed.TotalSeconds;
            lap.Restart();
        }
        void Step(int s)
        {
            using var scope = NewDisposeScope();
            lap.Restart();
            var x = ids.narrow(0, s % batches * batch, batch);
            var y = labels.narrow(0, s % batches * batch, batch);
            optimizer.ClearGradients();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            Lap(0);
            loss.backward();
            Lap(1);
            nn.utils.clip_grad_norm_(model.parameters(), 5);
            Lap(2);
            optimizer.step();
            Lap(3);
        }
        for (int i = 0; i < warmup; i++) Step(i);
        Array.Clear(phases);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step(i);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            framework = "deepscope " + __version__, model = "bc-lstm", batch, steps, threads = get_num_threads(),
            sequences_per_second = batch * steps / clock.Elapsed.TotalSeconds,
            step_seconds = new { forward = phases[0] / steps, backward = phases[1] / steps, clip = phases[2] / steps, optimizer = phases[3] / steps },
        }));
        return 0;
    }

    /// <summary>Token ids of random dialogues; the peer script draws the same numbers with the same LCG.</summary>
    static long[] Dialogues(int count, int turnTokens, int vocabulary)
    {
        ulong state = 12345;
        double Uniform()
        {
            state = unchecked(state * 6364136223846793005UL + 1442695040888963407UL);
            return (state >> 11) * (1.0 / (1UL << 53));
        }
        var ids = new long[count * 3 * turnTokens];
        for (int t = 0; t < count * 3; t++)
        {
            int length = Math.Min(turnTokens, 1 + (int)Math.Floor(Math.Log(1 - Uniform()) / Math.Log(1 - 1 / 5.5)));
            for (int j = 0; j < length; j++) ids[t * turnTokens + j] = j == length - 1 ? 2 : 3 + (long)(Uniform() * (vocabulary - 3));
        }
        return ids;
    }
}
