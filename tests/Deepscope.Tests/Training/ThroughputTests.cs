using Deepscope.Models;
using Deepscope.Runtime;
using Deepscope.Tests.Support;
using Deepscope.Training.Throughput;

namespace Deepscope.Tests.Training;

public class ThroughputTests
{
    [Fact]
    public void Multiply_adds_match_the_published_counts()
    {
        // fvcore and thop count torchvision's ResNet-18 at 224x224 as 1.814 G multiply-adds, AlexNet as 0.714 G.
        Assert.Equal(1.8141e9, ModelZoo.MacsPerImage(ModelZoo.Get("resnet18"), new ModelShape(1000, 3, 224)), 1.8141e9 * 5e-4);
        Assert.Equal(0.7142e9, ModelZoo.MacsPerImage(ModelZoo.Get("alexnet"), new ModelShape(1000, 3, 224)), 0.7142e9 * 5e-4);
    }

    [Fact]
    public void Effective_multiply_adds_leave_out_the_padding_taps()
    {
        // 3x3, padding 1: on a 1x1 map one tap of nine meets the input; on a 2x2 map each output sees 2x2 of its taps.
        var onePixel = new ConvolutionCall([1, 4, 1, 1], [8, 4, 3, 3], [1, 1], [1, 1], [1, 1], 1, ConvolutionRoute.Unrolled, [1, 8, 1, 1]);
        Assert.Equal(8 * 4 * 9, onePixel.MacsPerImage);
        Assert.Equal(8 * 4 * 1, onePixel.EffectiveMacsPerImage);
        var twoByTwo = new ConvolutionCall([1, 4, 2, 2], [8, 4, 3, 3], [1, 1], [1, 1], [1, 1], 1, ConvolutionRoute.Unrolled, [1, 8, 2, 2]);
        Assert.Equal(8 * 4 * 9 * 4, twoByTwo.MacsPerImage);
        Assert.Equal(8 * 4 * 4 * 4, twoByTwo.EffectiveMacsPerImage);
        // A 5x5 valid convolution on 14x14 touches no padding.
        var valid = new ConvolutionCall([1, 6, 14, 14], [16, 6, 5, 5], [1, 1], [0, 0], [1, 1], 1, ConvolutionRoute.Library, [1, 16, 10, 10]);
        Assert.Equal(valid.MacsPerImage, valid.EffectiveMacsPerImage);
    }

    [Fact]
    public void A_measurement_reports_phases_multiply_adds_and_the_slowest_convolutions_first()
    {
        var spec = ModelZoo.Get("resnet18");
        var shape = new ModelShape(10, 3, 32);
        using var model = spec.Create(shape);
        var report = TrainingThroughput.Measure("resnet18", model, [3, 32, 32], 10,
            new ThroughputOptions { Batch = 4, Steps = 1, Warmup = 1, OperatorRepeats = 1 }, MachinePeak.Detect(1, 2.0));
        Assert.True(report.ImagesPerSecond > 0 && report.ForwardSeconds > 0 && report.BackwardSeconds > 0);
        Assert.Equal(ModelZoo.MacsPerImage(spec, shape), report.MacsPerImage);
        Assert.InRange(report.EffectiveMacsPerImage, 1, report.MacsPerImage - 1); // ResNet's 1x1 and 2x2 maps are mostly padding
        Assert.Equal(8, report.TopOperators.Count);
        Assert.Equal(report.TopOperators.OrderByDescending(t => t.SecondsPerStep).Select(t => t.Signature), report.TopOperators.Select(t => t.Signature));
        Assert.Contains(report.TopOperators, t => t.Route == ConvolutionRoute.Unrolled);
        Assert.Equal(64.0, new MachinePeak(1, 2.0, 8).GflopsPerSecond, 9); // 1 core x 2 GHz x 8 lanes x 2 FMA x 2
    }

    [Theory]
    [InlineData("AuthenticAMD", "25", 1)] // Zen 3 / Zen 4: 512-bit instructions on 256-bit units
    [InlineData("AuthenticAMD", "26", 2)] // Zen 5: full-width units
    [InlineData("GenuineIntel", "6", 2)]
    [InlineData(null, null, 2)]
    public void A_512_bit_peak_counts_the_units_that_complete_512_bit_multiply_adds(string? vendor, string? family, int units)
    {
        Assert.Equal(units, MachinePeak.FullWidthFmaUnits(vendor, family));
        // Zen 4 at 2.6 GHz, 2 cores: the same 166.4 GFLOP/s as AVX2 (8 lanes x 2 units), not 332.8.
        Assert.Equal(166.4, new MachinePeak(2, 2.6, 16, MachinePeak.FullWidthFmaUnits("AuthenticAMD", "25")).GflopsPerSecond, 9);
    }

    [Fact]
    public void Plain_convolutions_count_the_same_multiply_adds()
    {
        var spec = ModelZoo.Get("lenet");
        using var model = spec.Create(spec.DefaultShape);
        var report = TrainingThroughput.Measure("lenet", model, [1, 28, 28], 10,
            new ThroughputOptions { Batch = 4, Steps = 1, Warmup = 0, TopOperators = 0, PlainConvolutions = true }, new MachinePeak(1, 2.0, 8));
        Assert.Equal(ModelZoo.MacsPerImage(spec, spec.DefaultShape), report.MacsPerImage);
    }

    [Fact]
    public void Bench_train_rejects_an_unknown_model_in_one_line()
    {
        var (exit, _, stderr) = CliRunner.Run("bench", "train", "--model", "no-such-net");
        Assert.Equal(1, exit);
        Assert.Contains("unknown model 'no-such-net'", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
