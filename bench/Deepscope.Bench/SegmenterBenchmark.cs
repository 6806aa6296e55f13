using System.Text.Json;
using Deepscope.Models;
using Deepscope.Runtime;
using Deepscope.Segmentation;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// Segmenter training throughput, as bench/peers/torch_segmenter.py measures the same network in PyTorch: the glass
/// study's U-Net (<see cref="EncoderDecoder"/>) around the resnet18 or vgg16 encoder, one grey channel, 6 classes,
/// 128x128 patches, batch 8 (the study's defaults), per-pixel cross-entropy, Adam 2e-3. Convolutions routed as the
/// trainer routes them; channels-last input as the trainer feeds it.
/// </summary>
public sealed class SegmenterBenchmark : IBenchmark
{
    public string Name => "segmenter";
    public string Description => "glass U-Net training patches/s: [--encoder resnet18|vgg16] [--batch 8] [--patch 128] [--classes 6] [--steps 10] [--warmup 2] [--threads N]";

    public int Run(string[] args)
    {
        var a = new BenchArguments(args);
        string encoder = a.Text("--encoder", "resnet18");
        int batch = a.Int("--batch", 8), patch = a.Int("--patch", 128), classes = a.Int("--classes", 6), steps = a.Int("--steps", 10), warmup = a.Int("--warmup", 2);
        a.ConfigureLikeTheTrainer();
        using var model = new EncoderDecoder(SegmentationEncoders.Catalog.Create(encoder), classes);
        RoutedConv2d.RouteConvolutions(model);
        model.train();
        using var optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 2e-3 }.Create([new ParameterGroup("all", model.parameters().ToList())]);
        using var images = MemoryFormat.ChannelsLast(rand(batch, 1, patch, patch));
        using var masks = randint(classes, [batch, patch, patch]);
        void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.forward(images), masks).backward();
            optimizer.step();
        }
        double perSecond = StepTiming.ItemsPerSecond(Step, warmup, steps, batch);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            framework = "deepscope " + __version__, model = $"unet-{encoder}", batch, side = patch, steps, threads = get_num_threads(),
            images_per_second = perSecond,
        }));
        return 0;
    }
}
