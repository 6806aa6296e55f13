using Deepscope.Models;
using Deepscope.Runtime;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Models;

/// <summary>
/// Every convolution Deepscope's networks run, through the dispatch, against float64, at the oneDNN ISA this test
/// process has (the default: <see cref="OneDnnIsa"/>). The same sweep at another ISA: <c>DNNL_MAX_CPU_ISA=X
/// Deepscope.Bench convolution-sweep</c>.
/// </summary>
public class ConvolutionDispatchSweepTests
{
    /// <summary>Maps cut to 8x8 so that the default suite stays quick; the Long test below sweeps them at up to 16x16.</summary>
    [Fact]
    public void Every_convolution_of_the_zoo_and_the_studies_equals_the_float64_convolution() => SweepZooAndStudies(8);

    [Fact]
    [Trait(Category.Name, Category.Long)]
    public void Every_convolution_of_the_zoo_and_the_studies_on_maps_up_to_16x16_equals_the_float64_convolution() => SweepZooAndStudies(16);

    static void SweepZooAndStudies(long largestSide)
    {
        var cases = ConvolutionDispatchSweep.ZooAndStudyCases(largestSide);
        Assert.True(cases.Count > 100, $"only {cases.Count} distinct convolutions found");
        Assert.Empty(ConvolutionDispatchSweep.Failures(cases).Select(f => $"{f} (oneDNN ISA {TorchRuntime.Versions()["onednn_isa"]})"));
    }

    [Fact]
    public void The_families_around_onednn_bugs_equal_the_float64_convolution()
    {
        Assert.Empty(ConvolutionDispatchSweep.Failures(ConvolutionDispatchSweep.Families()).Select(f => $"{f} (oneDNN ISA {TorchRuntime.Versions()["onednn_isa"]})"));
    }

    [Fact]
    public void A_models_cases_are_its_distinct_convolutions_with_large_maps_cut()
    {
        using var model = ModelZoo.Get("resnet18").Create(new ModelShape(10, 3, 32));
        var cases = ConvolutionDispatchSweep.CasesOf(model, [1, 3, 32, 32], largestSide: 16);
        Assert.Contains(new ConvolutionCase(3, 64, 16, 16, 7, 2, 3), cases);      // the stem, on 32x32 cut to 16x16
        Assert.Contains(new ConvolutionCase(256, 512, 2, 2, 1, 2, 0), cases);     // layer4's downsample
        Assert.Contains(new ConvolutionCase(512, 512, 1, 1, 3, 1, 1), cases);     // layer4
        Assert.Equal(cases.Count, cases.Distinct().Count());
        Assert.True(cases.Count < 20); // 20 convolutions, some of the same shape
    }
}
