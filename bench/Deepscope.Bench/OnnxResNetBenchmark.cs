using System.Diagnostics;
using System.Globalization;
using Deepscope.Features.Cnn;
using Deepscope.IO;
using Deepscope.Models.Onnx;
using Deepscope.Models.Pretrained;
using Deepscope.Runtime;
using Microsoft.ML.OnnxRuntime;
using OrtTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// The bundled ImageNet ResNet-18 (resnet18-cntk) against ONNX Runtime running the package's own graphs
/// (ResNetPreprocess.onnx then ResNet18.onnx, batch 1 as exported): the import time of the 63 MB file and images/s of
/// RGB 224x224 images to pooled features, rounds alternating. ONNX Runtime lives here only, not in the product.
/// Modes "ours X.npy" and "ort X.npy" do one pass over an .npy of images each, for whole-process comparisons.
/// </summary>
public sealed class OnnxResNetBenchmark : IBenchmark
{
    public string Name => "onnx-resnet18";
    public string Description => "resnet18-cntk vs ONNX Runtime: import seconds and 224x224 images/s; args: [images=16] [rounds=3] [batch=16] | ours X.npy | ort X.npy | import (a fresh process's first import, phase by phase) (threads: BENCH_THREADS, default all cores)";

    public int Run(string[] args)
    {
        TorchRuntime.Configure(Environment.GetEnvironmentVariable("BENCH_THREADS") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : null);
        // One cold pass each (no warm-up): the whole process is what an outside timer compares.
        if (args is ["ours", var oursPath]) return Report("deepscope", args[1], Ours(Load(oursPath), 16, warmUp: false));
        if (args is ["ort", var ortPath]) return Report("onnxruntime", args[1], Ort(Load(ortPath), warmUp: false));
        if (args is ["import"]) return OnnxImportPhases.Run();
        int images = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 16;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        int batch = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;
        Console.WriteLine($"resnet18-cntk, 224x224, {images} images, batch {batch} (ONNX Runtime: 1, as exported), {get_num_threads()} threads, libtorch {__version__}");
        var parse = new List<double>();
        var import = new List<double>();
        var ours = new List<double>();
        var ort = new List<double>();
        using var x = rand(images, 3, 224, 224);
        for (int round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            OnnxFile.Read(CntkResNet18.Locate(CntkResNet18.ModelFile)).Dispose();
            parse.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            CnnModels.Load("resnet18-cntk", weightsPath: null).Dispose();
            import.Add(clock.Elapsed.TotalSeconds);
            ours.Add(Ours(x, batch, warmUp: true));
            ort.Add(Ort(x, warmUp: true));
            Console.WriteLine($"  round {round + 1}: protobuf parse {parse[^1]:F2} s, import {import[^1]:F2} s, deepscope {ours[^1]:F1} images/s, onnxruntime {ort[^1]:F1} images/s");
        }
        Console.WriteLine($"median: protobuf parse {Median(parse):F2} s, import {Median(import):F2} s; deepscope {Median(ours):F1} images/s, onnxruntime {Median(ort):F1} images/s, ratio {Median(ours) / Median(ort):F2}x");
        return 0;
    }

    static Tensor Load(string path) => Npy.Read(path);

    static int Report(string who, string path, double imagesPerSecond)
    {
        Console.WriteLine($"{who}: {path} at {imagesPerSecond:F2} images/s");
        return 0;
    }

    /// <summary>Images/s of the feature extractor on <paramref name="images"/>, after one warm-up batch (oneDNN builds its kernels per shape).</summary>
    static double Ours(Tensor images, int batch, bool warmUp)
    {
        using var extractor = CnnFeatureExtractor.Load(new CnnFeatureOptions { Model = "resnet18-cntk", Layers = ["avgpool"], BatchSize = batch }, null);
        if (warmUp)
            using (var warm = NewDisposeScope()) extractor.Extract(images.narrow(0, 0, Math.Min(batch, images.shape[0])));
        return images.shape[0] / extractor.Run(images, _ => { }, NoProgress.Instance, "");
    }

    static double Ort(Tensor images, bool warmUp)
    {
        using var options = new SessionOptions { IntraOpNumThreads = get_num_threads() };
        using var prep = new InferenceSession(CntkResNet18.Locate(CntkResNet18.PreprocessFile), options);
        using var net = new InferenceSession(CntkResNet18.Locate(CntkResNet18.ModelFile), options);
        float[] Features(Tensor image)
        {
            var pixels = (image * 255).contiguous().data<float>().ToArray();
            using var prepared = prep.Run([NamedOnnxValue.CreateFromTensor("OriginalInput", new OrtTensor(pixels, [1, 3, 224, 224]))]);
            var input = prepared.First().AsTensor<float>().ToArray();
            using var output = net.Run([NamedOnnxValue.CreateFromTensor(net.InputMetadata.Keys.Single(), new OrtTensor(input, [1, 3, 224, 224]))]);
            return output.First().AsTensor<float>().ToArray();
        }
        if (warmUp) Features(images[0]);
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < images.shape[0]; i++)
            using (var scope = NewDisposeScope()) Features(images[i]);
        return images.shape[0] / clock.Elapsed.TotalSeconds;
    }

    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
