using System.Diagnostics;
using System.Globalization;
using Deepscope.Features.Cnn;
using Deepscope.Models.Pretrained;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// ResNet-18 features (avgpool) of 224 x 224 images: images/s in fp32 and bf16, with PyTorch 1.13 (/usr/bin/python3)
/// doing the same batches in the same run, rounds alternating so machine load hits both alike.
/// </summary>
public sealed class CnnFeaturesBenchmark : IBenchmark
{
    public string Name => "cnn-features";
    public string Description => "ResNet-18 224x224 avgpool features: images/s fp32 and bf16, beside PyTorch 1.13; args: [batch=32] [batches=4] [rounds=2]";

    const string PythonScript = """
        import sys, time, torch, torchvision
        batch, batches, dtype = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
        torch.set_num_threads(int(sys.argv[4]))
        model = torchvision.models.resnet18().eval()
        model.fc = torch.nn.Identity()
        x = torch.rand(batch, 3, 224, 224)
        if dtype == "bf16":
            model, x = model.bfloat16(), x.bfloat16()
        with torch.no_grad():
            model(x)
            start = time.perf_counter()
            for _ in range(batches):
                model(x)
            print(batch * batches / (time.perf_counter() - start))
        """;

    public int Run(string[] args)
    {
        int batch = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 32;
        int batches = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
        int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        TorchRuntime.Configure();
        int threads = get_num_threads();
        Console.WriteLine($"ResNet-18, 224x224, batch {batch}, {batches} timed batches per measurement, {threads} libtorch threads, libtorch {__version__}");
        var script = Path.Combine(Path.GetTempPath(), "deepscope-bench-resnet18.py");
        File.WriteAllText(script, PythonScript);
        var results = new Dictionary<string, List<double>>();
        void Record(string key, double value)
        {
            if (!results.TryGetValue(key, out var list)) results[key] = list = [];
            list.Add(value);
            Console.WriteLine($"  {key,-22} {value,8:F1} images/s");
        }
        for (int round = 0; round < rounds; round++)
            foreach (var dtype in new[] { "fp32", "bf16" })
            {
                Record($"deepscope {dtype}", Deepscope(batch, batches, dtype == "bf16"));
                if (Python(script, batch, batches, dtype, threads) is { } py) Record($"pytorch-1.13 {dtype}", py);
            }
        Console.WriteLine("median images/s and ratio to PyTorch 1.13 in the same run:");
        foreach (var dtype in new[] { "fp32", "bf16" })
        {
            double ours = Median(results[$"deepscope {dtype}"]);
            var theirs = results.TryGetValue($"pytorch-1.13 {dtype}", out var t) ? Median(t) : double.NaN;
            Console.WriteLine($"  {dtype}: deepscope {ours:F1}, pytorch-1.13 {theirs:F1}, ratio {ours / theirs:F2}x");
        }
        return 0;
    }

    static double Deepscope(int batch, int batches, bool bf16)
    {
        var options = new CnnFeatureOptions { Model = "resnet18", Layers = ["avgpool"], BFloat16 = bf16, BatchSize = batch };
        using var extractor = new CnnFeatureExtractor(CnnModels.Create("resnet18"), options);
        using var images = rand(batch, 3, 224, 224);
        using (var warm = NewDisposeScope()) extractor.Extract(images);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < batches; i++)
            using (var scope = NewDisposeScope()) extractor.Extract(images);
        return batch * batches / clock.Elapsed.TotalSeconds;
    }

    static double? Python(string script, int batch, int batches, string dtype, int threads)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, batch.ToString(CultureInfo.InvariantCulture), batches.ToString(CultureInfo.InvariantCulture), dtype, threads.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode == 0) return double.Parse(stdout.Trim(), CultureInfo.InvariantCulture);
            Console.WriteLine($"  pytorch-1.13 {dtype}: failed: {stderr.Result.Trim().Split('\n').Last()}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.WriteLine($"  pytorch-1.13: /usr/bin/python3 not runnable ({e.Message})");
        }
        return null;
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
