using System.Diagnostics;
using System.Globalization;
using Deepscope.Models;
using Deepscope.Runtime;

namespace Deepscope.Bench;

/// <summary>
/// Checks every convolution of the zoo's and the studies' networks, and the families around oneDNN's known wrong
/// results, against float64 at the oneDNN ISA of this process (<see cref="ConvolutionDispatchSweep"/>): run it with
/// <c>DNNL_MAX_CPU_ISA</c> set to check another ISA (oneDNN fixes it at its first convolution). <c>--direct</c> calls
/// libtorch's convolution instead of the dispatch, to find which shapes the dispatch has to route. Exit code 1 when
/// any case differs.
/// </summary>
public sealed class ConvolutionSweepBenchmark : IBenchmark
{
    public string Name => "convolution-sweep";
    public string Description => "convolutions of the zoo and the studies (and oneDNN's bug families) against float64 at this process's oneDNN ISA: [--direct] [--largest-side 16] [--threads 1]";

    public int Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        TorchRuntime.Configure(int.Parse(Arg("--threads", "1"), CultureInfo.InvariantCulture));
        bool direct = args.Contains("--direct");
        var clock = Stopwatch.StartNew();
        var cases = ConvolutionDispatchSweep.ZooAndStudyCases(long.Parse(Arg("--largest-side", "16"), CultureInfo.InvariantCulture))
            .Concat(ConvolutionDispatchSweep.Families()).Distinct().ToList();
        var failures = ConvolutionDispatchSweep.Failures(cases, throughDispatch: !direct);
        foreach (var failure in failures) Console.WriteLine(failure);
        Console.WriteLine($"{failures.Count} failures in {cases.Count} cases x 2 layouts, {(direct ? "libtorch's convolution called directly" : "through the dispatch")}, " +
            $"oneDNN ISA {TorchRuntime.Versions()["onednn_isa"]}, {clock.Elapsed.TotalSeconds:F1} s");
        return failures.Count == 0 ? 0 : 1;
    }
}
