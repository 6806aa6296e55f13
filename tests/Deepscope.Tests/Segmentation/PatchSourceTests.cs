using Deepscope.Data.Generators;
using Deepscope.Data.Sources;
using Deepscope.Segmentation;
using Deepscope.Training;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Segmentation;

/// <summary>The defect-oversampling patch sampler and the segmentation losses.</summary>
public sealed class PatchSourceTests
{
    [Fact]
    public void Patches_oversample_defects_are_seeded_and_match_the_mask_files()
    {
        using var dir = new TempDir();
        DatasetGeneration.Generate(new GlassGenerator(new GlassOptions { Width = 1024, Height = 512, Count = 2, DefectsPerMegapixel = 8 }), dir.File("g"), seed: 1);
        DefectPatchSource Source(double fraction) => new(dir.File("g/images"), dir.File("g/masks"), 64, 200, fraction, seed: 4, GlassClasses.Names);
        var source = Source(0.8);
        var masks = new MaskBands([.. source.Pairs.Select(p => p.Second)]);
        // Every defect pixel on the 4-pixel grid is an anchor of its class.
        long onGrid = 0;
        for (int image = 0; image < 2; image++)
        {
            var mask = masks.Window(image, 0, 0, 512, 1024);
            for (int y = 0; y < 512; y += 4)
                for (int x = 0; x < 1024; x += 4) onGrid += mask[y * 1024 + x] > 0 ? 1 : 0;
        }
        Assert.Equal(onGrid, source.AnchorCounts.Sum());

        static double DefectShare(DefectPatchSource s)
        {
            using var batch = s.Read(Enumerable.Range(0, 200).Select(i => (long)i).ToArray(), 1);
            using var any = batch[Fields.Mask].gt(0).flatten(1).any(1);
            return any.to_type(ScalarType.Float32).mean().item<float>();
        }
        // 80% are placed on a defect (binomial noise over 200 patches: sd 0.03), a few random ones hit one too.
        Assert.InRange(DefectShare(source), 0.72, 1);
        Assert.InRange(DefectShare(Source(0)), 0, 0.5);

        using var first = source.Read([3, 17], 2);
        using var again = Source(0.8).Read([3, 17], 2);
        using var otherEpoch = source.Read([3, 17], 3);
        Assert.True(first[Fields.Input].equal(again[Fields.Input]).all().item<bool>());
        Assert.False(first[Fields.Input].equal(otherEpoch[Fields.Input]).all().item<bool>());
        var (image0, top, left) = source.Place(3, 2);
        Assert.Equal(masks.Window(image0, top, left, 64, 64), first[Fields.Mask][0].flatten().data<long>().ToArray());
    }

    [Fact]
    public void Focal_loss_without_focus_is_cross_entropy_and_weights_follow_torch()
    {
        manual_seed(1);
        using var logits = randn(2, 4, 5, 6);
        using var mask = randint(0, 4, [2, 5, 6]);
        using var ce = Losses.CrossEntropy(logits, mask);
        using var focal0 = Losses.Focal(0)(logits, mask);
        Assert.Equal(ce.item<float>(), focal0.item<float>(), 5);
        // With gamma 2 every pixel's term shrinks by (1 - p)^2 < 1.
        using var focal2 = Losses.Focal(2)(logits, mask);
        Assert.True(focal2.item<float>() < ce.item<float>());
        // Weighted cross-entropy is sum w_y l / sum w_y, computed by hand here.
        float[] weights = [1, 2, 3, 4];
        using var perPixel = nn.functional.cross_entropy(logits, mask, reduction: nn.Reduction.None);
        using var w = tensor(weights).index_select(0, mask.flatten()).view_as(mask);
        using var expected = (perPixel * w).sum() / w.sum();
        using var weighted = Losses.WeightedCrossEntropy(weights)(logits, mask);
        Assert.Equal(expected.item<float>(), weighted.item<float>(), 5);
    }

    [Fact]
    public void Class_weights_follow_the_patch_class_frequencies()
    {
        using var masks = tensor(new long[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 0, 0 }).view(1, 4, 4);
        using var inputs = zeros(1, 1, 4, 4);
        var source = new TensorSource(new Dictionary<string, Tensor> { [Fields.Input] = inputs, [Fields.Mask] = masks });
        var weights = SegmenterTraining.ClassWeights(source, 4);
        Assert.Equal([1f, (float)Math.Sqrt(13 / 2.0), (float)Math.Sqrt(13.0), 1f], weights);
    }
}
