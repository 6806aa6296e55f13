using System.Diagnostics;
using System.Globalization;
using Deepscope.Data;
using Deepscope.Features.Patches;

namespace Deepscope.Bench;

/// <summary>
/// Reading a painting larger than memory would hold as floats: writes a 16-bit RGB tiled TIFF (default 20000x15000,
/// 1.8 GB of samples, 3.6 GB as float32) under --dir, then cuts the authentication study's patches from it (grey,
/// 200 random 224x224 crops, the 100 most varied kept) at its own resolution and at half, reporting megapixels/s,
/// patches/s and the process's peak memory; the file is deleted afterwards.
/// </summary>
public sealed class PaintingBenchmark : IBenchmark
{
    public string Name => "painting";
    public string Description => "patches/s and peak memory reading a 20000x15000 16-bit RGB tiled TIFF; [--width W] [--height H] [--dir DIR] [--colour]";

    public int Run(string[] args)
    {
        int width = int.Parse(Option(args, "--width") ?? "20000", CultureInfo.InvariantCulture);
        int height = int.Parse(Option(args, "--height") ?? "15000", CultureInfo.InvariantCulture);
        var dir = Option(args, "--dir") ?? Path.GetTempPath();
        bool colour = args.Contains("--colour");
        var path = Path.Combine(dir, $"painting-{width}x{height}-{Environment.ProcessId}.tif");
        try
        {
            var clock = Stopwatch.StartNew();
            TiffWriter.Write(path, height, width, 3, 16, 256, (top, rows, band) =>
            {
                // Strokes-like texture: oriented ripples modulated by a slow envelope, plus hashed noise.
                for (int y = 0; y < rows; y++)
                    for (int x = 0; x < width; x++)
                    {
                        int yy = top + y;
                        float ripple = MathF.Sin(0.21f * x + 0.13f * yy) * MathF.Sin(0.0011f * x) * MathF.Cos(0.0007f * yy);
                        uint hash = (uint)(x * 73856093 ^ yy * 19349663) * 2654435761u;
                        float noise = (hash >> 8) / 16777216f - 0.5f;
                        for (int c = 0; c < 3; c++) band[(y * width + x) * 3 + c] = 0.55f + 0.3f * ripple + 0.04f * noise - 0.05f * c;
                    }
            });
            Console.WriteLine(FormattableString.Invariant($"wrote {path}: {new FileInfo(path).Length / 1e9:F2} GB in {clock.Elapsed.TotalSeconds:F1} s"));
            long before = Process.GetCurrentProcess().PeakWorkingSet64;
            foreach (double scale in new[] { 1.0, 0.5 })
            {
                clock.Restart();
                var sample = PaintingPatches.Read(path, new PaintingReading(scale, colour), new PatchOptions(), seed: 0);
                double seconds = clock.Elapsed.TotalSeconds;
                Console.WriteLine(FormattableString.Invariant(
                    $"scale {scale}: {sample.Patches.Count} patches of {sample.Width}x{sample.Height} in {seconds:F1} s = {width * (double)height / 1e6 / seconds:F1} MP/s, {200 / seconds:F2} crops/s, {sample.Patches.Count / seconds:F2} kept patches/s"));
            }
            using var process = Process.GetCurrentProcess();
            Console.WriteLine(FormattableString.Invariant(
                $"peak working set {process.PeakWorkingSet64 / 1e9:F2} GB (after writing the file: {before / 1e9:F2} GB); {(colour ? "colour" : "grey")}"));
            return 0;
        }
        finally
        {
            File.Delete(path);
        }
    }

    static string? Option(string[] args, string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
