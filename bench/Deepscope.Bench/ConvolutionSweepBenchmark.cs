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
    public string Description => "convolutions of the zoo and the studies (and oneDNN's bug families) against float64 at this process's oneDNN ISA: [--direct] [--trace] [--largest-side 16] [--cases 'in,out,h,w,k,s,p[,g];...'] [--threads 1]";

    public int Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        TorchRuntime.Configure(int.Parse(Arg("--threads", "1"), CultureInfo.InvariantCulture));
        bool direct = args.Contains("--direct");
        var clock = Stopwatch.StartNew();
        var cases = args.Contains("--cases") ? Parse(Arg("--cases", ""))
            : ConvolutionDispatchSweep.ZooAndStudyCases(long.Parse(Arg("--largest-side", "16"), CultureInfo.InvariantCulture))
                .Concat(ConvolutionDispatchSweep.Families()).Distinct().ToList();
        var failures = new List<string>();
        foreach (var c in cases)
        {
            if (args.Contains("--trace")) Console.Error.WriteLine(c);
            foreach (var failure in ConvolutionDispatchSweep.Failures([c], throughDispatch: !direct))
            {
                Console.WriteLine(failure);  // as found: a direct call may crash the process
                failures.Add(failure);
            }
        }
        Console.WriteLine($"{failures.Count} failures in {cases.Count} cases x 2 layouts, {(direct ? "libtorch's convolution called directly" : "through the dispatch")}, " +
            $"oneDNN ISA {TorchRuntime.Versions()["onednn_isa"]}, {clock.Elapsed.TotalSeconds:F1} s");
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>Cases written as <c>in,out,height,width,kernel,stride,padding[,groups]</c>, separated by semicolons.</summary>
    static List<ConvolutionCase> Parse(string text) => text.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(c =>
    {
        var v = c.Split(',').Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        return new ConvolutionCase(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v.Length > 7 ? v[7] : 1);
    }).ToList();
}
