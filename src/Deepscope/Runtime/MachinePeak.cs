using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace Deepscope.Runtime;

/// <summary>
/// The float32 multiply-add peak of the cores libtorch uses: cores x clock x vector lanes x 2 FMA units x 2 FLOPs. Lanes
/// follow the ISA oneDNN may use (<see cref="OneDnnIsa"/>: 16 for AVX-512, else 8);
/// the clock is /proc/cpuinfo's (the base clock on a VM, where boost is not visible) unless the user gives one.
/// </summary>
public sealed record MachinePeak(int Cores, double GigaHertz, int Lanes)
{
    public double GflopsPerSecond => Cores * GigaHertz * Lanes * 2 * 2;

    public string Formula => string.Create(CultureInfo.InvariantCulture,
        $"{Cores} cores x {GigaHertz:F2} GHz x {Lanes} fp32 lanes x 2 FMA units x 2 = {GflopsPerSecond:F1} GFLOP/s");

    /// <summary>What libtorch's float32 matrix product reaches here with the current threads: the best of a few 1024^3 products, GFLOP/s.</summary>
    public static double MeasuredMatmulGflops()
    {
        using var scope = NewDisposeScope();
        var a = randn(1024, 1024);
        var b = randn(1024, 1024);
        double best = 0;
        for (int i = 0; i < 6; i++)
        {
            var clock = Stopwatch.StartNew();
            a.matmul(b).Dispose();
            if (i > 0) best = Math.Max(best, 2.0 * 1024 * 1024 * 1024 / clock.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    public static MachinePeak Detect(int cores, double? gigaHertz = null) =>
        new(cores, gigaHertz ?? CpuInfoGigaHertz() ?? 2.0, OneDnnIsa.WideVectors ? 16 : 8);

    static double? CpuInfoGigaHertz()
    {
        if (!File.Exists("/proc/cpuinfo")) return null;
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal));
        return line is not null && double.TryParse(line[(line.IndexOf(':') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var mhz) ? mhz / 1000 : null;
    }
}
