using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace Deepscope.Runtime;

/// <summary>
/// The float32 multiply-add peak of the cores libtorch uses: cores x clock x vector lanes x FMA units x 2 FLOPs. Lanes
/// follow the ISA oneDNN may use (<see cref="OneDnnIsa"/>: 16 for AVX-512, else 8), with two FMA units of that width,
/// except where the cores run 512-bit instructions on 256-bit units (<see cref="FullWidthFmaUnits"/>); the clock is
/// /proc/cpuinfo's (the base clock on a VM, where boost is not visible) unless the user gives one.
/// </summary>
public sealed record MachinePeak(int Cores, double GigaHertz, int Lanes, int FmaUnits = 2)
{
    public double GflopsPerSecond => Cores * GigaHertz * Lanes * FmaUnits * 2;

    public string Formula => string.Create(CultureInfo.InvariantCulture,
        $"{Cores} core{(Cores == 1 ? "" : "s")} x {GigaHertz:F2} GHz x {Lanes} fp32 lanes x {FmaUnits} FMA unit{(FmaUnits == 1 ? "" : "s")} x 2 = {GflopsPerSecond:F1} GFLOP/s");

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

    public static MachinePeak Detect(int cores, double? gigaHertz = null)
    {
        bool wide = OneDnnIsa.WideVectors;
        return new(cores, gigaHertz ?? CpuInfoGigaHertz() ?? 2.0, wide ? 16 : 8,
            wide ? FullWidthFmaUnits(CpuInfo.Field("vendor_id"), CpuInfo.Field("cpu family")) : 2);
    }

    /// <summary>
    /// FMA units that complete a 512-bit multiply-add per cycle: AMD's Zen 4 (family 25) runs AVX-512 on its two 256-bit
    /// units, two passes per instruction, so its peak is AVX2's; Intel's AVX-512 server cores and AMD's Zen 5 (family 26)
    /// have two full-width units.
    /// </summary>
    public static int FullWidthFmaUnits(string? vendor, string? family) =>
        vendor == "AuthenticAMD" && int.TryParse(family, CultureInfo.InvariantCulture, out int f) && f < 26 ? 1 : 2;

    static double? CpuInfoGigaHertz() =>
        double.TryParse(CpuInfo.Field("cpu MHz"), NumberStyles.Float, CultureInfo.InvariantCulture, out var mhz) ? mhz / 1000 : null;
}
