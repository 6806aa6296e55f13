using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Deepscope.IO;
using Deepscope.Models;
using Deepscope.Models.Inference;
using Deepscope.Runtime;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope bench infer</c>: inference speed of a zoo model, as Deepscope runs inference, against the machine's peak.</summary>
static class BenchInferCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Zoo model (deepscope list models)", Required = true };
        var imageSize = new Option<int?>("--image-size") { Description = "Input height and width (default: the model's)" };
        var defaults = new InferenceOptions();
        var batch = new Option<int>("--batch") { Description = "Images per forward pass", DefaultValueFactory = _ => defaults.Batch };
        var steps = new Option<int>("--steps") { Description = "Timed batches", DefaultValueFactory = _ => defaults.Steps };
        var warmup = new Option<int>("--warmup") { Description = "Untimed batches first", DefaultValueFactory = _ => defaults.Warmup };
        var noFold = new Option<bool>("--no-fold") { Description = "Keep the batch norms (do not fold them into the convolutions), to compare" };
        var nchw = new Option<bool>("--nchw") { Description = "NCHW weights and input instead of channels-last, to compare" };
        var gigaHertz = new Option<double?>("--ghz") { Description = "Core clock for the peak (default: /proc/cpuinfo's)" };
        var json = new Option<bool>("--json") { Description = "One JSON line instead of the table" };
        var threads = CommonOptions.Threads();
        var command = new Command("infer", "Inference images/s (batch norms folded, channels-last, inference mode) and GFLOP/s against the peak")
            { model, imageSize, batch, steps, warmup, noFold, nchw, gigaHertz, json, threads };
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var spec = ModelZoo.Get(parse.GetValue(model)!);
            var shape = parse.GetValue(imageSize) is int size ? spec.DefaultShape with { ImageSize = size } : spec.DefaultShape;
            var options = new InferenceOptions
            {
                Batch = BenchCommands.Positive(parse.GetValue(batch), "--batch"), Steps = BenchCommands.Positive(parse.GetValue(steps), "--steps"),
                Warmup = Math.Max(0, parse.GetValue(warmup)), Fold = !parse.GetValue(noFold), ChannelsLast = !parse.GetValue(nchw),
            };
            var r = InferenceThroughput.Measure(spec, shape, options, MachinePeak.Detect(TorchSharp.torch.get_num_threads(), parse.GetValue(gigaHertz)));
            var c = CultureInfo.InvariantCulture;
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(r, new JsonSerializerOptions(JsonFormat.Options) { WriteIndented = false }));
            else
            {
                Console.WriteLine(string.Create(c, $"{r.Model} {string.Join('x', r.InputShape)}, batch {r.Batch}, {r.Threads} thread(s), {r.FoldedBatchNorms} batch norms folded, {(r.ChannelsLast ? "channels-last" : "NCHW")}: {r.ImagesPerSecond:F1} images/s"));
                Console.WriteLine(string.Create(c, $"  forward multiply-adds per image {r.MacsPerImage / 1e6:F1} M: {r.GflopsPerSecond:F1} GFLOP/s = {r.PercentOfPeak:F1}% of peak ({r.Peak.Formula})"));
            }
            return 0;
        });
        return command;
    }
}
