using System.Diagnostics;
using System.Globalization;
using Deepscope.Models;
using Deepscope.Runtime;
using Deepscope.Studies.Inspection;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// Inference of the inspection study as <c>deepscope inspect predict</c> runs it: PNG files decoded, resized and
/// normalised, a ResNet-18 with a two-class head, softmax averaged over the image and its two flips (TTA), features
/// kept. Its peer is bench/peers/torch_inspect_predict.py (the same steps in PyTorch 1.13 + torchvision).
/// </summary>
public sealed class InspectionBenchmark : IBenchmark
{
    public string Name => "inspection";
    public string Description => "inspect predict: ResNet-18 2-class on a PNG folder, images/s after one warm-up batch; args: FOLDER [size=224] [limit=256] [tta=1] (threads: BENCH_THREADS, default all cores)";

    public int Run(string[] args)
    {
        if (args.Length < 1) { Console.Error.WriteLine(Description); return 1; }
        int size = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 224;
        int limit = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 256;
        bool tta = args.Length <= 3 || args[3] != "0";
        TorchRuntime.Configure(Environment.GetEnvironmentVariable("BENCH_THREADS") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : null);
        var files = InspectionData.ListTest(args[0]).Take(limit).Select(f => f.Path).ToArray();
        var run = Directory.CreateTempSubdirectory("deepscope-bench-inspection-").FullName;
        try
        {
            random.manual_seed(0);
            using (var model = ModelZoo.Get("resnet18").Create(new ModelShape(2, 3, size))) RunRecord.SaveModel(run, model);
            new InspectionModel("resnet18", ["bad_1", "good_0"], 0, InputTransform.ImageNet(size), tta, double.NaN, 0, 0, 0, 0).Write(run);
            using var predictor = new InspectionPredictor(run);
            predictor.Score(files.Take(InspectionPredictor.BatchSize).ToArray());
            var clock = Stopwatch.StartNew();
            var scores = predictor.Score(files);
            double perSecond = files.Length / clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"deepscope inspection {size}px tta={(tta ? 1 : 0)} threads={get_num_threads()}: {files.Length} images, {perSecond:F2} images/s (mean p {scores.Probabilities.Average():F4})"));
            return 0;
        }
        finally { Directory.Delete(run, recursive: true); }
    }
}
