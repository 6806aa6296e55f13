using System.Text.Json;
using Deepscope.Denoising.Networks;
using Deepscope.Models;
using Deepscope.Runtime;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// pix2pix training throughput, as bench/peers/torch_pix2pix.py measures the same networks and step in PyTorch: the
/// study's U-Net generator (4 levels, width 64, additive skips) and PatchGAN discriminator on 64x64 patches, batch 16,
/// Adam 2e-4 with beta1 0.5; one step is <c>GanStep</c>'s: the discriminator on real and generated pairs (binary
/// cross-entropy on logits), then the generator (fooling loss + 100 L1). Convolutions routed as the trainer routes them.
/// </summary>
public sealed class Pix2PixBenchmark : IBenchmark
{
    public string Name => "pix2pix";
    public string Description => "pix2pix (U-Net + PatchGAN) training patches/s: [--batch 16] [--patch 64] [--levels 4] [--steps 10] [--warmup 2] [--threads N]";

    public int Run(string[] args)
    {
        var a = new BenchArguments(args);
        int batch = a.Int("--batch", 16), patch = a.Int("--patch", 64), levels = a.Int("--levels", 4), steps = a.Int("--steps", 10), warmup = a.Int("--warmup", 2);
        a.ConfigureLikeTheTrainer();
        using var generator = new UNetGenerator(levels);
        using var discriminator = new PatchDiscriminator();
        RoutedConv2d.RouteConvolutions(generator);
        RoutedConv2d.RouteConvolutions(discriminator);
        generator.train();
        discriminator.train();
        var adam = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 2e-4, Beta1 = 0.5 };
        using var optimizerG = adam.Create([new ParameterGroup("all", generator.parameters().ToList())]);
        using var optimizerD = adam.Create([new ParameterGroup("all", discriminator.parameters().ToList())]);
        using var clean = MemoryFormat.ChannelsLast(rand(batch, 1, patch, patch));
        using var noisy = MemoryFormat.ChannelsLast(clean + 0.3 * randn(batch, 1, patch, patch));
        static Tensor Bce(Tensor logits, float label) => nn.functional.binary_cross_entropy_with_logits(logits, full_like(logits, label));
        void Step()
        {
            using var scope = NewDisposeScope();
            var fake = generator.forward(noisy);
            optimizerD.ClearGradients();
            (Bce(discriminator.forward(cat([noisy, clean], 1)), 1) + Bce(discriminator.forward(cat([noisy, fake.detach()], 1)), 0)).backward();
            optimizerD.step();
            optimizerG.ClearGradients();
            (Bce(discriminator.forward(cat([noisy, fake], 1)), 1) + 100 * nn.functional.l1_loss(fake, clean)).backward();
            optimizerG.step();
        }
        double perSecond = StepTiming.ItemsPerSecond(Step, warmup, steps, batch);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            framework = "deepscope " + __version__, model = $"pix2pix-unet{levels}", batch, side = patch, steps, threads = get_num_threads(),
            images_per_second = perSecond,
        }));
        return 0;
    }
}
