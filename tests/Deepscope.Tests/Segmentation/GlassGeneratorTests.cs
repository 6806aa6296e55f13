using Deepscope.Data;
using Deepscope.Data.Generators;
using Deepscope.Data.Sources;
using Deepscope.Tests.Data.Generators;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Segmentation;

/// <summary>The synthetic glass plates: seeded, masks exactly the pixels the defects changed, every class drawn.</summary>
[Collection(GeneratorCatalogCollection.Name)]
public sealed class GlassGeneratorTests
{
    static readonly GlassOptions Small = new() { Width = 1024, Height = 512, Count = 1, DefectsPerMegapixel = 30 };

    [Fact]
    public void Cli_writes_images_masks_and_defect_list_identically_for_one_seed()
    {
        using var dir = new TempDir();
        string a = dir.File("a"), b = dir.File("b");
        string[] args = ["data", "generate", "glass", "--width", "512", "--height", "256", "--count", "2", "--defects-per-megapixel", "40", "--bits", "16", "--seed", "3"];
        var run = CliRunner.Run([.. args, "--output", a]);
        Assert.True(run.ExitCode == 0, run.Err);
        CliRunner.Run([.. args, "--output", b]);
        var files = Directory.GetFiles(a, "*", SearchOption.AllDirectories);
        Assert.Equal(6, files.Length); // 2 images, 2 masks, defects.csv, glass.json
        foreach (var file in files) Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(b, Path.GetRelativePath(a, file))));
        var image = ImageFile.Read(Path.Combine(a, "images", "glass_000.tif"));
        Assert.Equal((1, 256, 512, 16), (image.Channels, image.Height, image.Width, image.BitsPerSample));
        CliRunner.Run([.. args[..^1], "4", "--output", dir.File("c")]);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, "images", "glass_000.tif")), File.ReadAllBytes(dir.File("c/images/glass_000.tif")));
    }

    [Fact]
    public void A_mask_marks_exactly_the_pixels_its_defects_changed_with_their_classes()
    {
        var plate = GlassPlate.Plan(Small, seed: 5, index: 0);
        Assert.Equal(Enumerable.Range(1, 5), plate.Defects.Select(d => d.Class).Distinct().Order());
        var clean = new float[Small.Height * Small.Width];
        var defective = new float[clean.Length];
        plate.Render(0, Small.Height, clean, withDefects: false);
        plate.Render(0, Small.Height, defective, withDefects: true);
        var owners = plate.Owners(0, Small.Height);
        int marked = 0;
        for (int i = 0; i < clean.Length; i++)
        {
            if (owners[i] < 0) Assert.Equal(clean[i], defective[i]);
            else
            {
                // Every defect changes its pixels by at least 0.1: several 8-bit levels, so the written mask stays exact.
                Assert.True(Math.Abs(defective[i] - clean[i]) >= 0.1f, $"pixel {i} of defect {owners[i]} changed by {defective[i] - clean[i]}");
                marked++;
            }
        }
        Assert.InRange(marked / (double)clean.Length, 0.001, 0.2);
        // Rendering by bands gives the same pixels as one pass.
        for (int top = 0; top < Small.Height; top += 64)
        {
            var band = new float[64 * Small.Width];
            plate.Render(top, 64, band, withDefects: true);
            Assert.Equal(defective.AsSpan(top * Small.Width, band.Length).ToArray(), band);
        }
    }

    [Fact]
    public void Written_mask_and_defect_list_agree_with_the_plan()
    {
        using var dir = new TempDir();
        DatasetGeneration.Generate(new GlassGenerator(Small), dir.File("g"), seed: 5);
        var mask = new MaskBands([dir.File("g/masks/glass_000.tif")]).Window(0, 0, 0, Small.Height, Small.Width);
        var plate = GlassPlate.Plan(Small, seed: 5, index: 0);
        var owners = plate.Owners(0, Small.Height);
        Assert.Equal(owners.Select(o => o < 0 ? 0L : plate.Defects[o].Class), mask);
        var listed = File.ReadAllLines(dir.File("g/defects.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(plate.Defects.Count, listed.Count);
        for (int d = 0; d < listed.Count; d++)
        {
            Assert.Equal(GlassClasses.Names[plate.Defects[d].Class], listed[d][2]);
            Assert.Equal(owners.LongCount(o => o == d), long.Parse(listed[d][7]));
        }
    }
}
