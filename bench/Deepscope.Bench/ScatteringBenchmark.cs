using System.Diagnostics;
using System.Globalization;
using Deepscope.Features;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// Scattering2D throughput (images/s) on the issue's two cases, 28x28 J=2 L=8 and 3x32x32 J=2 L=8, side by side with
/// Kymatio when its source is given (--kymatio DIR runs scattering_kymatio.py with /usr/bin/python3 in the same run,
/// alternating with Deepscope, and prints the ratio).
/// </summary>
public sealed class ScatteringBenchmark : IBenchmark
{
    public string Name => "scattering";
    public string Description => "Scattering2D images/s for 28x28 J=2 and 3x32x32 J=2 (L=8); [--kymatio DIR] [--batch N] [--rounds N] [--threads N]";

    sealed record Case(string Name, long[] ImageShape, int J, int L = 8);

    static readonly Case[] Cases = [new("28x28 J=2 L=8", [1, 28, 28], 2), new("3x32x32 J=2 L=8", [3, 32, 32], 2)];

    public int Run(string[] args)
    {
        string? kymatio = Option(args, "--kymatio");
        int batch = int.Parse(Option(args, "--batch") ?? "256", CultureInfo.InvariantCulture);
        int rounds = int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        int threads = int.Parse(Option(args, "--threads") ?? "2", CultureInfo.InvariantCulture);
        TorchRuntime.Configure(threads);
        Console.WriteLine($"batch {batch}, {threads} threads, best of 3 timings per round, {rounds} rounds; libtorch {__version__}");
        foreach (var c in Cases)
        {
            using var scattering = new Scattering2D(c.J, ((int)c.ImageShape[^2], (int)c.ImageShape[^1]), c.L);
            using var x = rand([batch, .. c.ImageShape], generator: new TorchSharp.torch.Generator(0));
            var ours = new List<double>();
            var theirs = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                ours.Add(ImagesPerSecond(scattering, x));
                if (kymatio != null) theirs.Add(Kymatio(kymatio, c, batch, threads));
            }
            var line = $"{c.Name,-16} Deepscope {Median(ours),8:F0} images/s (rounds: {string.Join(", ", ours.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))})";
            if (theirs.Count > 0)
                line += $"   Kymatio {Median(theirs),6:F0} images/s (rounds: {string.Join(", ", theirs.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))})   ratio {Median(ours) / Median(theirs):F1}x";
            Console.WriteLine(line);
        }
        return 0;
    }

    static double ImagesPerSecond(Scattering2D scattering, Tensor x)
    {
        using (NewDisposeScope()) scattering.forward(x); // warm-up (filters on the device, allocator)
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope()) scattering.forward(x);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return x.shape[0] / best;
    }

    static double Kymatio(string source, Case c, int batch, int threads)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "scattering_kymatio.py");
        var start = new ProcessStartInfo("/usr/bin/python3", [script, source, string.Join(",", c.ImageShape), c.J.ToString(CultureInfo.InvariantCulture),
            c.L.ToString(CultureInfo.InvariantCulture), batch.ToString(CultureInfo.InvariantCulture), threads.ToString(CultureInfo.InvariantCulture)])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"Kymatio benchmark failed: {error}");
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
