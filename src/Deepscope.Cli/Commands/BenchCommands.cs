using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Deepscope.IO;
using Deepscope.Models;
using Deepscope.Runtime;
using Deepscope.Training.Throughput;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope bench train</c>: training speed of a zoo model, per phase, against the machine's peak.</summary>
static class BenchCommands
{
    public static Command Create() => new("bench", "Measure Deepscope on this machine") { Train(), BenchInferCommand.Create() };

    static Command Train()
    {
        var model = new Option<string>("--model", "-m") { Description = "Zoo model (deepscope list models)", Required = true };
        var imageSize = new Option<int?>("--image-size") { Description = "Input height and width (default: the model's)" };
        var defaults = new ThroughputOptions();
        var batch = new Option<int>("--batch") { Description = "Images per step", DefaultValueFactory = _ => defaults.Batch };
        var steps = new Option<int>("--steps") { Description = "Timed steps", DefaultValueFactory = _ => defaults.Steps };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first", DefaultValueFactory = _ => defaults.Warmup };
        var top = new Option<int>("--top") { Description = "Convolution shapes listed, slowest first (0: no profile)", DefaultValueFactory = _ => defaults.TopOperators };
        var plain = new Option<bool>("--plain-convolutions") { Description = "libtorch's convolution everywhere (without the trainer's dispatch), to compare" };
        var gigaHertz = new Option<double?>("--ghz") { Description = "Core clock for the peak (default: /proc/cpuinfo's)" };
        var json = new Option<bool>("--json") { Description = "One JSON line instead of the table" };
        var threads = CommonOptions.Threads();
        var command = new Command("train", "Training images/s, seconds per phase, the slowest convolutions and GFLOP/s against the peak")
            { model, imageSize, batch, steps, warmup, top, plain, gigaHertz, json, threads };
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var spec = ModelZoo.Get(parse.GetValue(model)!);
            var shape = parse.GetValue(imageSize) is int size ? spec.DefaultShape with { ImageSize = size } : spec.DefaultShape;
            var options = new ThroughputOptions
            {
                Batch = Positive(parse.GetValue(batch), "--batch"), Steps = Positive(parse.GetValue(steps), "--steps"),
                Warmup = Math.Max(0, parse.GetValue(warmup)), TopOperators = Math.Max(0, parse.GetValue(top)), PlainConvolutions = parse.GetValue(plain),
            };
            using var network = spec.Create(shape);
            var report = TrainingThroughput.Measure(spec.Name, network, [shape.Channels, shape.ImageSize, shape.ImageSize], shape.NumClasses, options,
                MachinePeak.Detect(TorchSharp.torch.get_num_threads(), parse.GetValue(gigaHertz)));
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(report, new System.Text.Json.JsonSerializerOptions(JsonFormat.Options) { WriteIndented = false }));
            else Print(report);
            return 0;
        });
        return command;
    }

    internal static int Positive(int value, string option) =>
        value >= 1 ? value : throw new DeepscopeException($"{option} must be at least 1, got {value}");

    static void Print(ThroughputReport r)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"{r.Model} {string.Join('x', r.InputShape)}, batch {r.Batch}, {r.Threads} thread(s){(r.PlainConvolutions ? ", plain convolutions" : "")}: {r.ImagesPerSecond:F1} images/s"));
        Console.WriteLine(string.Create(c, $"  per step: forward + loss {r.ForwardSeconds:F3} s, backward {r.BackwardSeconds:F3} s, optimizer {r.OptimizerSeconds:F3} s"));
        Console.WriteLine(string.Create(c, $"  multiply-adds per image, forward: {r.MacsPerImage / 1e6:F1} M as defined (thop's count), {r.EffectiveMacsPerImage / 1e6:F1} M that meet the input"));
        Console.WriteLine(string.Create(c, $"  training (3 passes): {r.GflopsPerSecond:F1} GFLOP/s as defined = {r.PercentOfPeak:F1}% of peak; {r.EffectiveGflopsPerSecond:F1} GFLOP/s effective = {r.EffectivePercentOfPeak:F1}% of peak, {r.EffectivePercentOfMatmul:F1}% of the matrix product's rate"));
        Console.WriteLine(string.Create(c, $"  peak: {r.Peak.Formula}; a 1024^3 matrix product reaches {r.MatmulGflopsPerSecond:F1} GFLOP/s"));
        if (r.TopOperators.Count == 0) return;
        Console.WriteLine("  slowest convolutions, timed alone (forward + the gradients the step needs; * no input gradient), per step:");
        Console.WriteLine("    ms/step  libtorch ms  GFLOP/s  count  route      layer  (GFLOP/s from the multiply-adds that meet the input)");
        foreach (var t in r.TopOperators)
            Console.WriteLine(string.Create(c, $"    {t.SecondsPerStep * 1e3,7:F1}  {t.LibrarySecondsPerStep * 1e3,11:F1}  {t.GflopsPerSecond(r.Batch),7:F1}  {t.Count,5}  {t.Route,-9}  {t.Signature}{(t.InputGradient ? "" : " *")}"));
    }
}
