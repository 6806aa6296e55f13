using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Deepscope.Features.Scattering.Simd;

namespace Deepscope.Bench;

/// <summary>
/// The scattering kernels' FFT alone (<see cref="StockhamFft"/>) on the grid sizes of the cases: 36 and 18
/// (28x28, J=2), 40 and 20 (32x32, J=2), along rows as wide as the scattering's (8 planes for order 1, 64 for order 2).
/// Prints ns per transformed point and GFLOP/s by the usual 5 n log2 n count.
/// </summary>
public sealed class ScatteringFftBenchmark : IBenchmark
{
    public string Name => "scattering-fft";
    public string Description => "the scattering kernels' FFT: ns/point and GFLOP/s (5 n log2 n) for lengths 36, 18, 40, 20 on one thread";

    public unsafe int Run(string[] args)
    {
        Console.WriteLine("length  row width  passes in scratch  ns/point  GFLOP/s");
        foreach (var (length, width) in new[] { (36, 8 * 36), (18, 64 * 18), (40, 8 * 40), (20, 64 * 20) })
        {
            var fft = new StockhamFft(length);
            long floats = (long)length * width;
            var buffers = new float*[4];
            for (int b = 0; b < buffers.Length; b++) buffers[b] = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
            try
            {
                var random = new Random(0);
                for (long i = 0; i < floats; i++) { buffers[0][i] = random.NextSingle(); buffers[1][i] = random.NextSingle(); }
                bool inScratch = false;
                for (int i = 0; i < 200; i++) inScratch = fft.Transform(buffers[0], buffers[1], buffers[2], buffers[3], width, inverse: i % 2 == 1);
                int repeats = (int)Math.Max(1000, 2e8 / floats);
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < repeats; i++) fft.Transform(buffers[0], buffers[1], buffers[2], buffers[3], width, inverse: false);
                double seconds = clock.Elapsed.TotalSeconds, points = (double)floats * repeats;
                double flops = 5.0 * Math.Log2(length) * points;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{length,6}  {width,9}  {inScratch,17}  {seconds / points * 1e9,8:F3}  {flops / seconds / 1e9,7:F2}"));
            }
            finally
            {
                for (int b = 0; b < buffers.Length; b++) NativeMemory.AlignedFree(buffers[b]);
            }
        }
        return 0;
    }
}
