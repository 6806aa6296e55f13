using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Tests.Training;

public class AugmentationTests
{
    static Tensor Images(long n = 16) => arange(n * 3 * 6 * 5, dtype: ScalarType.Float32).view(n, 3, 6, 5).add_(1);

    [Fact]
    public void CropWindowsAreShiftsOfTheZeroPaddedImage()
    {
        using var x = Images();
        using var g = new Generator(7);
        using var y = new Augmentation(CropPadding: 2).Apply(x, g);
        Assert.Equal(x.shape, y.shape);
        using var padded = nn.functional.pad(x, [2, 2, 2, 2]);
        var seen = new HashSet<(long, long)>();
        for (long i = 0; i < x.shape[0]; i++)
        {
            // The offset is where the crop's first pixel (never 0 in the source) sits in the padded image, or a zero border.
            var match = Enumerable.Range(0, 5).SelectMany(dy => Enumerable.Range(0, 5).Select(dx => (dy, dx)))
                .Where(o => TinyData.Same(padded[i, .., o.dy..(o.dy + 6), o.dx..(o.dx + 5)], y[i])).ToList();
            Assert.Single(match);
            seen.Add(match[0]);
        }
        Assert.True(seen.Count > 4, "offsets should vary between images");
    }

    [Fact]
    public void FlipMirrorsAboutHalfTheImagesAndKeepsTheOthers()
    {
        using var x = Images(200);
        using var g = new Generator(3);
        using var y = new Augmentation(HorizontalFlip: true).Apply(x, g);
        int flipped = 0;
        for (long i = 0; i < x.shape[0]; i++)
        {
            bool same = TinyData.Same(y[i], x[i]), mirrored = TinyData.Same(y[i], x[i].flip(2));
            Assert.True(same ^ mirrored);
            if (mirrored) flipped++;
        }
        Assert.InRange(flipped, 70, 130); // Binomial(200, 1/2): 5 standard deviations either side
    }

    [Fact]
    public void SameGeneratorStateGivesTheSameAugmentation()
    {
        using var x = Images();
        var augmentation = Augmentation.Parse("crop,flip");
        Assert.Equal(new Augmentation(4, true), augmentation);
        using var g1 = new Generator(11);
        using var g2 = new Generator(11);
        using var a = augmentation.Apply(x, g1);
        using var b = augmentation.Apply(x, g2);
        Assert.True(TinyData.Same(a, b));
        using var c = augmentation.Apply(x, g1);
        Assert.False(TinyData.Same(a, c));
    }

    [Fact]
    public void ParseRejectsUnknownNames()
    {
        Assert.Equal(new Augmentation(2, false), Augmentation.Parse("crop=2"));
        Assert.True(Augmentation.Parse("none").IsNone);
        Assert.Contains("rotate", Assert.Throws<DeepscopeException>(() => Augmentation.Parse("crop,rotate")).Message);
    }

    [Fact]
    public void InputTransformNormalisesWithTrainingStatistics()
    {
        using var images = randint(0, 256, [50, 1, 8, 8], dtype: ScalarType.Byte, generator: new Generator(1));
        var transform = InputTransform.FromData(images, channels: 3);
        Assert.Equal(3, transform.Mean.Length);
        using var x = transform.Apply(images);
        Assert.Equal(new long[] { 50, 3, 8, 8 }, x.shape);
        Assert.Equal(0, x.mean().item<float>(), 4);
        Assert.Equal(1, x.std(unbiased: false).item<float>(), 4);
    }
}
