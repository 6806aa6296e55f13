using System.Diagnostics;
using System.Globalization;
using Deepscope.Models;
using Deepscope.Models.Inference;
using Deepscope.Models.Onnx;
using Deepscope.Models.Pretrained;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// The first import of resnet18-cntk in a fresh process, phase by phase (what <see cref="CnnModels.Load"/> and the
/// feature extractor do), with wall seconds and CPU seconds: the main thread's and the whole process's (the runtime's
/// background compilation included). CPU time is what the load of a shared machine does not inflate.
/// </summary>
static class OnnxImportPhases
{
    public static int Run()
    {
        var process = Process.GetCurrentProcess();
        var wall = Stopwatch.StartNew();
        (double Wall, double Main, double Process) last = (0, MainThreadSeconds(), process.TotalProcessorTime.TotalSeconds);
        var total = last;
        void Phase(string name)
        {
            process.Refresh();
            var now = (wall.Elapsed.TotalSeconds, MainThreadSeconds(), process.TotalProcessorTime.TotalSeconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-24} wall {now.Item1 - last.Wall,6:F3} s   main-thread CPU {now.Item2 - last.Main,5:F2} s   process CPU {now.Item3 - last.Process,6:F3} s"));
            last = now;
        }
        var spec = ModelZoo.Get("resnet18-cntk");
        using var file = OnnxFile.Read(spec.Bundled!.Locate());
        Phase("read (map + parse)");
        nn.Module<Tensor, Tensor> model;
        using (Initialization.SkippedForLoadedWeights()) model = CnnModels.Create(spec.Name, numClasses: 0);
        Phase("build the model");
        var state = OnnxImport.StateDict(file, model);
        Phase("state dict from the graph");
        spec.Bundled.Adapt(state);
        StateDictFile.Apply(model, state, file.Path, spec.Name, spec.HeadName);
        foreach (var t in state.Values) t.Dispose();
        Phase("adapt + copy in");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"import (CnnModels.Load's work): wall {last.Wall - total.Wall:F3} s, main-thread CPU {last.Main - total.Main:F2} s, process CPU {last.Process - total.Process:F3} s"));
        InferencePreparation.Prepare(model, observed: new HashSet<string> { "avgpool" });
        Phase("inference preparation");
        model.Dispose();
        return 0;
    }

    /// <summary>CPU seconds (user + system) of the calling thread, from /proc (clock ticks of 10 ms).</summary>
    static double MainThreadSeconds()
    {
        var fields = File.ReadAllText("/proc/thread-self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}
