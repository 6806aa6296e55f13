using TorchSharp;
using Deepscope.Models;
using Deepscope.Models.Inference;
using Deepscope.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Deepscope.Tests.Models.Inference;

public class InferencePreparationTests
{
    [Fact]
    public void Prepared_model_is_in_eval_mode_folded_and_channels_last_with_the_same_outputs()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(11);
        using var model = ModelZoo.Get("lenet").Create(new ModelShape(10, 1, 28));
        var x = rand(4, 1, 28, 28);
        model.eval();
        Tensor before;
        using (no_grad()) before = model.call(x);
        model.train();
        Assert.Equal(2, InferencePreparation.Prepare(model));
        Assert.False(model.training);
        foreach (var conv in model.modules().OfType<Conv2d>().Where(c => c.in_channels > 1))
            Assert.Equal(1, conv.weight!.stride(1)); // channels-last: the channel is the innermost dimension
        using var _ = inference_mode();
        var after = model.call(MemoryFormat.ChannelsLast(x));
        Assert.True((before - after).abs().max().item<float>() <= 1e-5 * before.abs().max().item<float>());
    }

    /// <summary>
    /// Inception-small's 48- and 80-channel convolutions are among the shapes whose channels-last forward oneDNN gets wrong
    /// on this CPU (ConvolutionDispatch.ForwardAtRisk): prepared for inference, the network still computes its float64 logits.
    /// </summary>
    [Fact]
    public void Prepared_inception_small_computes_the_float64_forward()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        using var reference = ModelZoo.Get("inception-small").Create(new ModelShape(10, 3, 28));
        random.manual_seed(3);
        using var prepared = ModelZoo.Get("inception-small").Create(new ModelShape(10, 3, 28));
        reference.eval();
        reference.to(ScalarType.Float64);
        InferencePreparation.Prepare(prepared);
        var x = randn(8, 3, 28, 28, generator: new Generator(5));
        Tensor expected, actual;
        using (no_grad()) expected = reference.forward(x.to_type(ScalarType.Float64));
        using (inference_mode()) actual = prepared.forward(MemoryFormat.ChannelsLast(x)).to_type(ScalarType.Float64);
        double error = (actual - expected).abs().max().item<double>() / expected.abs().max().item<double>();
        Assert.True(error < 1e-4, $"relative error {error:E2}");
    }

    [Fact]
    public void Inference_report_counts_two_flops_per_multiply_add()
    {
        var spec = ModelZoo.Get("lenet");
        var report = InferenceThroughput.Measure(spec, spec.DefaultShape, new InferenceOptions { Batch = 8, Steps = 2, Warmup = 1 }, new MachinePeak(1, 2.0, 8));
        Assert.Equal(ModelZoo.MacsPerImage(spec, spec.DefaultShape), report.MacsPerImage);
        Assert.Equal(2, report.FoldedBatchNorms);
        Assert.True(report.ImagesPerSecond > 0);
        Assert.Equal(2.0 * report.MacsPerImage * report.ImagesPerSecond / 1e9, report.GflopsPerSecond, 9);
        Assert.Equal(100 * report.GflopsPerSecond / 64.0, report.PercentOfPeak, 9); // 1 core x 2 GHz x 8 lanes x 2 x 2
    }

    [Fact]
    public void Loaded_weights_skip_our_random_initialisation()
    {
        // He normal (fan_out) draws beyond the bound of TorchSharp's own default (Kaiming uniform, a = sqrt(5)): 1 / sqrt(fan_in).
        static double Largest(ImageNetResNet m) => m.named_parameters().Single(p => p.name == "conv1.weight").parameter.abs().max().item<float>();
        double bound = 1 / Math.Sqrt(3 * 7 * 7);
        using var initialised = new ImageNetResNet([1, 1, 1, 1], 0);
        Assert.True(Largest(initialised) > bound);
        using (Initialization.SkippedForLoadedWeights())
        {
            using var skipped = new ImageNetResNet([1, 1, 1, 1], 0);
            Assert.True(Largest(skipped) <= bound + 1e-6);
        }
        using var again = new ImageNetResNet([1, 1, 1, 1], 0);
        Assert.True(Largest(again) > bound);
    }
}
