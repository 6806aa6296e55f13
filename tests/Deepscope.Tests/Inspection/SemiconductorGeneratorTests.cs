using Deepscope.Data;
using Deepscope.Data.Generators;
using Deepscope.Tests.Data.Generators;
using Deepscope.Tests.Support;
using Deepscope.Training.Metrics;

namespace Deepscope.Tests.Inspection;

/// <summary>The synthetic die images: the contest's layout, seeded output, honest difficulty.</summary>
[Collection(GeneratorCatalogCollection.Name)]
public sealed class SemiconductorGeneratorTests
{
    [Fact]
    public void Cli_writes_the_contest_layout_with_test_labels_matching_the_test_files_deterministically()
    {
        using var dir = new TempDir();
        string a = dir.File("a"), b = dir.File("b");
        var run = CliRunner.Run("data", "generate", "semiconductor", "--count", "40", "--image-size", "64", "--seed", "2", "--output", a);
        Assert.True(run.ExitCode == 0, run.Err);
        CliRunner.Run("data", "generate", "semiconductor", "--count", "40", "--image-size", "64", "--seed", "2", "--output", b);
        var good = Directory.GetFiles(Path.Combine(a, "train", "good_0"));
        var bad = Directory.GetFiles(Path.Combine(a, "train", "bad_1"));
        var test = Directory.GetFiles(Path.Combine(a, "test")).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(36, good.Length + bad.Length);
        Assert.Equal(4, test.Length);
        var labels = File.ReadAllLines(Path.Combine(a, "test_labels.csv"));
        Assert.Equal("id,label", labels[0]);
        Assert.Equal(test.Select(Path.GetFileNameWithoutExtension), labels.Skip(1).Select(l => l.Split(',')[0]));
        var image = ImageFile.Read(test[0]);
        Assert.Equal((1, 64, 64), (image.Channels, image.Height, image.Width));
        foreach (var file in Directory.GetFiles(a, "*.png", SearchOption.AllDirectories))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(b, Path.GetRelativePath(a, file))));
    }

    [Fact]
    public void Plans_flip_a_few_percent_of_training_labels_only_and_draw_every_defect_kind()
    {
        var plans = new SemiconductorGenerator(new SemiconductorOptions { Count = 4000, LabelNoise = 0.03, BadFraction = 0.25 }).Plans(seed: 0);
        var train = plans.Where(p => !p.Test).ToList();
        Assert.InRange(train.Count(p => p.LabelFlipped) / (double)train.Count, 0.02, 0.04);
        Assert.DoesNotContain(plans, p => p.Test && p.LabelFlipped);
        Assert.InRange(plans.Count(p => p.Bad) / 4000.0, 0.22, 0.28);
        foreach (var kind in new[] { DieDefect.Scratch, DieDefect.Particle, DieDefect.ChippedEdge, DieDefect.MissingLead })
            Assert.Contains(plans, p => p.Defects.Contains(kind));
    }

    [Fact]
    public void Good_and_bad_images_are_not_separated_by_their_mean_brightness_or_contrast()
    {
        // Placement, lighting and noise vary more than a defect moves the image's statistics: neither the mean nor
        // the standard deviation of the pixels ranks bad above good much better than chance.
        var random = new Random(3);
        var mean = new List<(double, bool)>();
        var spread = new List<(double, bool)>();
        for (int i = 0; i < 300; i++)
        {
            bool bad = i % 2 == 0;
            var pixels = DieImage.Render(96, bad ? [(DieDefect)(1 + i / 2 % 4)] : [], new Random(random.Next()));
            double m = pixels.Average(p => (double)p);
            mean.Add((m, bad));
            spread.Add((Math.Sqrt(pixels.Average(p => (p - m) * (p - m))), bad));
        }
        Assert.InRange(RocAucMetric.MannWhitneyAuc(mean), 0.35, 0.65);
        Assert.InRange(RocAucMetric.MannWhitneyAuc(spread), 0.35, 0.65);
    }
}
