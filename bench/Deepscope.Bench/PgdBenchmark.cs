using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Deepscope.Models;
using Deepscope.Robustness;
using Deepscope.Runtime;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// PGD (L-inf, random start) examples per second against the Madry MNIST CNN with its normalisation inside, on seeded
/// uniform images: the measurement beside bench/peers/torchattacks_pgd.py (same model, sizes and attack).
/// </summary>
public sealed class PgdBenchmark : IBenchmark
{
    public string Name => "pgd";
    public string Description => "PGD examples/s on the Madry MNIST CNN: [--count 512] [--batch 128] [--steps 10] [--eps 0.3] [--alpha 0.03] [--threads N]";

    public int Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        int count = int.Parse(Arg("--count", "512"), CultureInfo.InvariantCulture);
        int batch = int.Parse(Arg("--batch", "128"), CultureInfo.InvariantCulture);
        int steps = int.Parse(Arg("--steps", "10"), CultureInfo.InvariantCulture);
        double eps = double.Parse(Arg("--eps", "0.3"), CultureInfo.InvariantCulture);
        double alpha = double.Parse(Arg("--alpha", "0.03"), CultureInfo.InvariantCulture);
        var threads = Arg("--threads", "");
        TorchRuntime.Configure(threads == "" ? null : int.Parse(threads, CultureInfo.InvariantCulture));
        random.manual_seed(0);
        using var model = new PixelSpaceClassifier(new MadryMnistNet(), new InputTransform([0.1307f], [0.3081f], 1, 28));
        model.eval();
        using var images = rand(count, 1, 28, 28);
        using var labels = randint(10, [count]);
        var attack = new Pgd(eps, alpha, steps);
        using (AttackRunner.Run(model, attack, images.narrow(0, 0, batch), labels.narrow(0, 0, batch), seed: 0, batch)) { } // warm-up
        var clock = Stopwatch.StartNew();
        using var result = AttackRunner.Run(model, attack, images, labels, seed: 0, batch);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            benchmark = Name, threads = get_num_threads(), count, batch, steps, seconds, examples_per_second = count / seconds, robust_accuracy = result.RobustAccuracy,
        }));
        return 0;
    }
}
