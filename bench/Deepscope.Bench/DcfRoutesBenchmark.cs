using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Deepscope.Models;
using Deepscope.Models.Dcf;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// The two routes of a DCF convolution (bases then 1x1 mixing; rebuilt kernel then one convolution), forward and
/// backward on channels-last batches, for the layer shapes of DCF-LeNet and DCF-ResNet-18, with an input that needs no
/// gradient (a first layer, inference) and with one that does (every other layer in training): the measurement behind
/// <see cref="DcfConv2d.Choose"/>.
/// </summary>
public sealed class DcfRoutesBenchmark : IBenchmark
{
    public string Name => "dcf-routes";
    public string Description => "DCF convolution routes, ms per forward+backward: [--batch 32] [--reps 5] [--K 3] [--threads N]";

    /// <summary>(name, in, out, kernel, stride, image size): LeNet's two layers, ResNet-18's stem and stages.</summary>
    static readonly (string Name, long In, long Out, int Kernel, long Stride, long Size)[] Layers =
    [
        ("lenet.conv1", 1, 32, 5, 1, 28), ("lenet.conv2", 32, 64, 5, 1, 14),
        ("resnet.conv1", 3, 64, 3, 1, 32), ("resnet.layer1", 64, 64, 3, 1, 32), ("resnet.layer2", 128, 128, 3, 1, 16),
        ("resnet.layer3", 256, 256, 3, 1, 8), ("resnet.layer4", 512, 512, 3, 1, 4), ("resnet.layer2.0", 64, 128, 3, 2, 32),
    ];

    public int Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        int batch = int.Parse(Arg("--batch", "32"), CultureInfo.InvariantCulture);
        int reps = int.Parse(Arg("--reps", "5"), CultureInfo.InvariantCulture);
        int k = int.Parse(Arg("--K", "3"), CultureInfo.InvariantCulture);
        var threads = Arg("--threads", "");
        TorchRuntime.Configure(threads == "" ? null : int.Parse(threads, CultureInfo.InvariantCulture));
        random.manual_seed(0);
        foreach (var (name, cin, cout, kernel, stride, size) in Layers)
        foreach (var inputGradient in new[] { false, true })
        {
            var geometry = new ConvGeometry(cin, cout, kernel, [stride, stride], [kernel / 2, kernel / 2], [1, 1], 1);
            using var layer = new DcfConv2d(geometry, Math.Min(k, FourierBesselBases.ForKernel(kernel).Count), bias: false);
            using var input = MemoryFormat.ChannelsLast(randn(batch, cin, size, size)).requires_grad_(inputGradient);
            double Time(DcfRoute route)
            {
                var times = new List<double>();
                for (int r = 0; r < reps + 1; r++)
                {
                    using var scope = NewDisposeScope();
                    var clock = Stopwatch.StartNew();
                    layer.Forward(input, route).sum().backward();
                    if (r > 0) times.Add(clock.Elapsed.TotalMilliseconds); // the first is a warm-up
                    layer.Coefficients.grad?.zero_();
                }
                times.Sort();
                return times[times.Count / 2];
            }
            double mixed = Time(DcfRoute.BasesThenMix), rebuilt = Time(DcfRoute.RebuiltKernel);
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                layer = name, input_gradient = inputGradient, batch, K = layer.BasisCount, threads = get_num_threads(),
                bases_then_mix_ms = mixed, rebuilt_kernel_ms = rebuilt, faster = mixed < rebuilt ? "bases_then_mix" : "rebuilt_kernel",
                chosen = DcfConv2d.Choose(geometry, layer.BasisCount, inputGradient).ToString(),
            }));
        }
        return 0;
    }
}
