using Deepscope.Data.Sources;
using Deepscope.Tests.Data.Sources;
using static TorchSharp.torch;

namespace Deepscope.Tests.Generalization;

public class RandomizedSourceTests
{
    const int N = 2000;
    static readonly string[] TenClasses = [.. Enumerable.Range(0, 10).Select(i => $"c{i}")];

    /// <summary>uint8 images 3x4x4 whose pixel values are their position (0..15) plus 16 x channel, so permutations are readable; label = index mod 10.</summary>
    static TensorSource PositionImages(int count = N)
    {
        using var positions = arange(48, dtype: ScalarType.Byte).view(1, 3, 4, 4);
        var images = positions.expand(count, 3, 4, 4).clone();
        var labels = arange(count, dtype: ScalarType.Int64).remainder(10);
        return new TensorSource(new Dictionary<string, Tensor> { [Fields.Input] = images, [Fields.Label] = labels }, TenClasses);
    }

    static long[] All(int count = N) => [.. Enumerable.Range(0, count).Select(i => (long)i)];

    static long[] Labels(IDataSource source, long[] rows, int epoch = 0)
    {
        using var batch = source.Read(rows, epoch);
        return batch[Fields.Label].data<long>().ToArray();
    }

    [Fact]
    public void CorruptedLabelsChangeAboutPTimesNineTenthsAndAreFixedAcrossEpochsAndOrder()
    {
        var clean = PositionImages();
        var truth = Labels(clean, All());
        var changedAt = new Dictionary<double, HashSet<int>>();
        foreach (var p in new[] { 0.0, 0.2, 0.4, 1.0 })
        {
            var source = new RandomizedSource(clean, Randomization.Parse($"labels:{p}"), seed: 5);
            var labels = Labels(source, All());
            changedAt[p] = [.. Enumerable.Range(0, N).Where(i => labels[i] != truth[i])];
            // A label is replaced with probability p by one of 10 classes, the true one among them.
            double expected = p * 0.9, sd = Math.Sqrt(expected * (1 - expected) / N);
            Assert.InRange(changedAt[p].Count / (double)N, expected - 4 * sd - 1e-9, expected + 4 * sd + 1e-9);
            // The same in every epoch and whatever the order rows are read in.
            long[] reversed = [.. All().Reverse()];
            Assert.Equal(labels, Labels(source, All(), epoch: 7));
            Assert.Equal(labels.Reverse(), Labels(source, reversed, epoch: 3));
            // Images are untouched.
            using var batch = source.Read([0, 1], 0);
            using var original = clean.Read([0, 1], 0);
            TensorAssert.Identical(original[Fields.Input], batch[Fields.Input]);
        }
        // One coin per example: what p = 0.2 corrupts, p = 0.4 corrupts too.
        Assert.Subset(changedAt[0.4], changedAt[0.2]);
        Assert.Empty(changedAt[0.0]);
        // Random labels are labels:1, uniformly spread over the classes.
        var random = Labels(new RandomizedSource(clean, Randomization.Parse("random-labels"), seed: 5), All());
        Assert.Equal(Labels(new RandomizedSource(clean, Randomization.Parse("labels:1"), seed: 5), All()), random);
        Assert.All(random.GroupBy(l => l), g => Assert.InRange(g.Count(), 140, 260));
        Assert.NotEqual(random, Labels(new RandomizedSource(clean, Randomization.Parse("random-labels"), seed: 6), All()));
    }

    [Fact]
    public void ShuffledPixelsUseOnePermutationForEveryImageAndMoveChannelsTogether()
    {
        var source = new RandomizedSource(PositionImages(50), Randomization.Parse("shuffled-pixels"), seed: 1);
        using var batch = source.Read(All(50), epoch: 0);
        var images = batch[Fields.Input];
        for (int i = 1; i < 50; i++) Assert.True(TensorAssert.Same(images[i], images[0]));
        var first = images[0].flatten(1).to_type(ScalarType.Int64);  // (3, 16)
        var positions = first[0].data<long>().ToArray();
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (long)i), positions.Order());
        Assert.NotEqual(Enumerable.Range(0, 16).Select(i => (long)i), positions);
        for (int c = 1; c < 3; c++) Assert.True(TensorAssert.Same(first[c].sub(16 * c), first[0]));
        Assert.Equal(Labels(PositionImages(50), All(50)), batch[Fields.Label].data<long>().ToArray());
    }

    [Theory]
    [InlineData("shuffled-pixels", "shuffled-pixels")]
    [InlineData("random-pixels", "true-labels")]
    [InlineData("gaussian", "true-labels")]
    [InlineData("labels:0.4", "true-labels")]
    public void Only_shuffled_pixels_reach_the_test_set_and_with_the_training_permutation(string training, string test)
    {
        var randomization = Randomization.Parse(training);
        Assert.Equal(test, randomization.ForTest.ToString());
        if (randomization.ForTest == Randomization.None) return;
        // A test set of another size, read in another order, gets the permutation the training images got.
        using var trained = new RandomizedSource(PositionImages(50), randomization, seed: 1).Read([3], epoch: 0);
        using var tested = new RandomizedSource(PositionImages(7), randomization.ForTest, seed: 1).Read([6, 0], epoch: 2);
        Assert.True(TensorAssert.Same(tested[Fields.Input][0], trained[Fields.Input][0]));
        Assert.Equal([6L, 0L], tested[Fields.Label].data<long>().ToArray());
    }

    [Fact]
    public void RandomPixelsPermuteEachImageItsOwnWayTheSameEveryEpoch()
    {
        var source = new RandomizedSource(PositionImages(50), Randomization.Parse("random-pixels"), seed: 1);
        using var batch = source.Read(All(50), epoch: 0);
        using var again = source.Read([.. All(50).Reverse()], epoch: 4);
        var images = batch[Fields.Input];
        var distinct = new HashSet<string>();
        for (int i = 0; i < 50; i++)
        {
            var pixels = images[i].flatten(1).to_type(ScalarType.Int64);
            Assert.Equal(Enumerable.Range(0, 16).Select(k => (long)k), pixels[0].data<long>().ToArray().Order());
            Assert.True(TensorAssert.Same(pixels[2].sub(32), pixels[0]));
            distinct.Add(string.Join(",", pixels[0].data<long>().ToArray()));
            Assert.True(TensorAssert.Same(again[Fields.Input][49 - i], images[i]));
        }
        Assert.True(distinct.Count >= 49, $"only {distinct.Count} distinct permutations in 50 images");
    }

    [Fact]
    public void GaussianImagesHaveTheDataSetsChannelMeanAndDeviation()
    {
        manual_seed(3);
        // Channels of different means and spreads.
        var images = cat([randint(0, 256, [400, 1, 8, 8], dtype: ScalarType.Byte), randint(0, 64, [400, 1, 8, 8], dtype: ScalarType.Byte),
            randint(100, 200, [400, 1, 8, 8], dtype: ScalarType.Byte)], 1);
        var clean = new TensorSource(new Dictionary<string, Tensor> { [Fields.Input] = images, [Fields.Label] = zeros(400, dtype: ScalarType.Int64) }, TenClasses);
        var source = new RandomizedSource(clean, Randomization.Parse("gaussian"), seed: 9);
        Assert.Equal(ScalarType.Float32, source.Fields.Single(f => f.Name == Fields.Input).DType);
        using var batch = source.Read(All(400), epoch: 0);
        var noise = batch[Fields.Input];
        Assert.Equal(ScalarType.Float32, noise.dtype);
        using var unit = images.to_type(ScalarType.Float64).div(255);
        for (int c = 0; c < 3; c++)
        {
            double mean = unit[.., c].mean().item<double>(), std = unit[.., c].std(unbiased: false).item<double>();
            Assert.Equal(mean, noise[.., c].mean().item<float>(), 0.01);
            Assert.Equal(std, noise[.., c].std().item<float>(), 0.01);
        }
        using var later = source.Read([17], epoch: 9);
        TensorAssert.Identical(noise[17].unsqueeze(0), later[Fields.Input]);
    }

    [Theory]
    [InlineData("true-labels")]
    [InlineData("labels:0.4")]
    [InlineData("random-labels")]
    [InlineData("shuffled-pixels")]
    [InlineData("random-pixels")]
    [InlineData("gaussian")]
    public void RandomizationsParseAndPrintAlike(string text) => Assert.Equal(text, Randomization.Parse(text).ToString());

    [Theory]
    [InlineData("labels:1.5")]
    [InlineData("labels:x")]
    [InlineData("noise")]
    public void BadRandomizationsAreOneLineErrors(string text) =>
        Assert.Contains(text, Assert.Throws<DeepscopeException>(() => Randomization.Parse(text)).Message);
}
