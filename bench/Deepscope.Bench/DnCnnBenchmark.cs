using System.Text.Json;
using Deepscope.Denoising.Networks;
using Deepscope.Models;
using Deepscope.Runtime;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// DnCNN (17 layers, 64 channels, batch norm) throughput, as bench/peers/torch_dncnn.py measures the same model in
/// PyTorch: training patches/s (40x40 patches, batch 16: zero_grad, forward, MSE against the clean patch, backward,
/// Adam step; inputs channels-last as the trainer feeds them) and inference images/s (eval mode, no gradients, one
/// 256x256 image at a time, as Set12's small images). Its convolutions are routed as the trainer routes them
/// (<see cref="RoutedConv2d"/>), for inference readied as the denoiser readies it (<c>InferencePreparation</c>);
/// --plain-convolutions: libtorch's own.
/// </summary>
public sealed class DnCnnBenchmark : IBenchmark
{
    public string Name => "dncnn";
    public string Description => "DnCNN training patches/s and inference images/s: [--mode train|infer] [--batch 16] [--patch 40] [--size 256] [--steps 10] [--warmup 2] [--threads N] [--plain-convolutions]";

    public int Run(string[] args)
    {
        var a = new BenchArguments(args);
        string mode = a.Text("--mode", "train");
        int batch = a.Int("--batch", 16), patch = a.Int("--patch", 40), size = a.Int("--size", 256), steps = a.Int("--steps", 10), warmup = a.Int("--warmup", 2);
        a.ConfigureLikeTheTrainer();
        using var model = new DnCnn();
        if (!a.Flag("--plain-convolutions")) RoutedConv2d.RouteConvolutions(model); // as the trainer does
        double perSecond;
        if (mode == "train")
        {
            model.train();
            using var optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 1e-3 }.Create([new ParameterGroup("all", model.parameters().ToList())]);
            using var clean = rand(batch, 1, patch, patch);
            using var noisy = MemoryFormat.ChannelsLast(clean + 0.1 * randn(batch, 1, patch, patch));
            void Step()
            {
                using var scope = NewDisposeScope();
                optimizer.ClearGradients();
                nn.functional.mse_loss(model.forward(noisy), clean).backward();
                optimizer.step();
            }
            perSecond = StepTiming.ItemsPerSecond(Step, warmup, steps, batch);
        }
        else
        {
            // As NetworkDenoiser readies it: batch norms folded, routed, channels-last weights.
            if (args.Contains("--plain-convolutions")) model.eval();
            else Models.Inference.InferencePreparation.Prepare(model);
            using var noGrad = no_grad();
            using var image = rand(1, 1, size, size);
            void Infer()
            {
                using var scope = NewDisposeScope();
                model.forward(image);
            }
            perSecond = StepTiming.ItemsPerSecond(Infer, warmup, steps, 1);
        }
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            framework = "deepscope " + __version__, model = "dncnn-17x64", mode, batch = mode == "train" ? batch : 1, side = mode == "train" ? patch : size,
            steps, threads = get_num_threads(), images_per_second = perSecond,
        }));
        return 0;
    }
}
