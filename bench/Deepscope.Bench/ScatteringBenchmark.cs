using System.Diagnostics;
using System.Globalization;
using Deepscope.Features;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// Scattering2D throughput (images/s) on the issue's two cases, 28x28 J=2 L=8 and 3x32x32 J=2 L=8 (with --large also
/// 128x128 J=3 and 256x256 J=4, at batches of 32 and 8), side by side with
/// Kymatio when its source is given (--kymatio DIR runs scattering_kymatio.py with /usr/bin/python3 in the same run,
/// alternating with Deepscope, and prints the ratio). Both sides are measured in fresh child processes, one per round:
/// on a shared machine a process that has just waited for a CPU-heavy child was seen running many times slower, which
/// would bias an in-process measurement.
/// </summary>
public sealed class ScatteringBenchmark : IBenchmark
{
    public string Name => "scattering";
    public string Description => "Scattering2D images/s for 28x28 J=2 and 3x32x32 J=2 (L=8); [--kymatio DIR] [--batch N] [--rounds N] [--threads N] [--large]";

    /// <summary>A benchmark case; <paramref name="Batch"/> fixes the batch of the large ones (else --batch).</summary>
    sealed record Case(string Name, long[] ImageShape, int J, int L = 8, int? Batch = null);

    /// <summary>Images/s of wall-clock time, and of CPU time (less sensitive to other processes on a shared machine).</summary>
    sealed record Rate(double Wall, double PerCpuSecond);

    static readonly Case[] Cases =
    [
        new("28x28 J=2 L=8", [1, 28, 28], 2), new("3x32x32 J=2 L=8", [3, 32, 32], 2),
        new("128x128 J=3 L=8", [1, 128, 128], 3, Batch: 32), new("256x256 J=4 L=8", [1, 256, 256], 4, Batch: 8),
    ];

    public int Run(string[] args)
    {
        string? kymatio = Option(args, "--kymatio");
        int batch = int.Parse(Option(args, "--batch") ?? "256", CultureInfo.InvariantCulture);
        int rounds = int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        int threads = int.Parse(Option(args, "--threads") ?? "2", CultureInfo.InvariantCulture);
        TorchRuntime.Configure(threads);
        if (Option(args, "--worker") is { } worker)
        {
            var workerCase = Cases[int.Parse(worker, CultureInfo.InvariantCulture)];
            var rate = Measure(workerCase, workerCase.Batch ?? batch);
            Console.WriteLine(FormattableString.Invariant($"{rate.Wall} {rate.PerCpuSecond}"));
            return 0;
        }
        Console.WriteLine($"batch {batch}, {threads} threads, best of 3 timings per round, {rounds} rounds; libtorch {__version__}");
        for (int index = 0; index < (args.Contains("--large") ? Cases.Length : 2); index++)
        {
            var c = Cases[index];
            string caseBatch = (c.Batch ?? batch).ToString(CultureInfo.InvariantCulture);
            var ours = new List<Rate>();
            var theirs = new List<Rate>();
            for (int round = 0; round < rounds; round++)
            {
                ours.Add(Child(Environment.ProcessPath!, [.. SelfArguments(), Name, "--worker", index.ToString(CultureInfo.InvariantCulture), "--batch", caseBatch,
                    "--threads", threads.ToString(CultureInfo.InvariantCulture)]));
                if (kymatio != null)
                    theirs.Add(Child("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "scattering_kymatio.py"), kymatio, string.Join(",", c.ImageShape),
                        c.J.ToString(CultureInfo.InvariantCulture), c.L.ToString(CultureInfo.InvariantCulture), caseBatch,
                        threads.ToString(CultureInfo.InvariantCulture)]));
            }
            Console.WriteLine($"{c.Name} (batch {caseBatch}):");
            Console.WriteLine($"  Deepscope {Describe(ours)}");
            if (theirs.Count == 0) continue;
            Console.WriteLine($"  Kymatio   {Describe(theirs)}");
            Console.WriteLine($"  ratio     {Median(ours, r => r.Wall) / Median(theirs, r => r.Wall):F1}x wall-clock, " +
                $"{Median(ours, r => r.PerCpuSecond) / Median(theirs, r => r.PerCpuSecond):F1}x per CPU-second (medians over rounds)");
        }
        return 0;
    }

    /// <summary>Best of 3 wall-clock timings, and images per second of process CPU time over the same 3 runs.</summary>
    static Rate Measure(Case c, int batch)
    {
        using var scattering = new Scattering2D(c.J, ((int)c.ImageShape[^2], (int)c.ImageShape[^1]), c.L);
        using var x = rand([batch, .. c.ImageShape], generator: new TorchSharp.torch.Generator(0));
        using var _ = no_grad();
        return ImagesPerSecond(scattering, x);
    }

    static Rate ImagesPerSecond(Scattering2D scattering, Tensor x)
    {
        using (NewDisposeScope()) scattering.forward(x); // warm-up (filters on the device, allocator)
        double best = double.MaxValue;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (int i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope()) scattering.forward(x);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        return new(x.shape[0] / best, 3 * x.shape[0] / cpuSeconds);
    }

    static string Describe(List<Rate> rates) =>
        $"{Format(Median(rates, r => r.Wall)),7} images/s wall-clock (rounds: {string.Join(", ", rates.Select(r => Format(r.Wall)))}), " +
        $"{Format(Median(rates, r => r.PerCpuSecond)),7} images per CPU-second";

    /// <summary>Whole images/s from 100 up, one decimal below (the large cases run a few images/s).</summary>
    static string Format(double rate) => rate.ToString(rate >= 100 ? "F0" : "F1", CultureInfo.InvariantCulture);

    /// <summary>
    /// The arguments that start this benchmark program again: the .dll when the process is the <c>dotnet</c> host, none
    /// when it is the app host (whose first command-line argument also names the .dll).
    /// </summary>
    static string[] SelfArguments() =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? [Environment.GetCommandLineArgs()[0]] : [];

    /// <summary>Runs one measurement in a child process, which prints "wall-clock-rate cpu-rate".</summary>
    static Rate Child(string program, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(" ", arguments)} failed: {error}");
        var fields = output.Trim().Split('\n')[^1].Split(' ');
        return new(double.Parse(fields[0], CultureInfo.InvariantCulture), double.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    static double Median(List<Rate> rates, Func<Rate, double> value)
    {
        var sorted = rates.Select(value).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
