using Deepscope.Data;
using Deepscope.Data.Sources;
using Deepscope.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace Deepscope.Tests.Data.Sources;

/// <summary>The sources reading two folders matched by name: image pairs and images with masks.</summary>
public class FolderPairSourceTests
{
    [Fact]
    public void PairsLineUpByNameAcrossFormats()
    {
        using var dir = new TempDir();
        foreach (var (name, value) in new[] { ("b", 20), ("a", 10), ("sub/c", 30) })
        {
            ImageFixtures.Gray(dir.File($"noisy/{name}.png"), 4, 6, (y, x) => (byte)(value + y));
            var clean = Enumerable.Repeat((ushort)(value * 257), 8 * 12).ToArray();
            Directory.CreateDirectory(Path.GetDirectoryName(dir.File($"clean/{name}.tif"))!);
            ImageFile.WriteTiff16(dir.File($"clean/{name}.tif"), clean, 1, 8, 12); // twice the size: super-resolution pairs
        }
        var source = new PairedImageSource(dir.File("noisy"), dir.File("clean"));
        Assert.Equal(3, source.Count);
        Assert.Equal([Fields.Input, Fields.Target], source.Fields.Select(f => f.Name));
        using var batch = source.Read([2, 0], 0);
        Assert.Equal([2L, 1, 4, 6], batch[Fields.Input].shape);
        Assert.Equal([2L, 1, 8, 12], batch[Fields.Target].shape);
        // Sorted names: a, b, sub/c. Each input's first row is its value, each target is the same value everywhere.
        Assert.Equal(ImageFixtures.Unit(30), batch[Fields.Input][0, 0, 0, 0].item<float>(), 6);
        Assert.Equal(30 / 255f, batch[Fields.Target][0].mean().item<float>(), 5);
        Assert.Equal(ImageFixtures.Unit(10), batch[Fields.Input][1, 0, 0, 0].item<float>(), 6);
        Assert.Equal(10 / 255f, batch[Fields.Target][1].mean().item<float>(), 5);
    }

    [Fact]
    public void AMissingPairIsNamed()
    {
        using var dir = new TempDir();
        ImageFixtures.Gray(dir.File("in/a.png"), 2, 2, (_, _) => 0);
        ImageFixtures.Gray(dir.File("in/b.png"), 2, 2, (_, _) => 0);
        ImageFixtures.Gray(dir.File("out/a.png"), 2, 2, (_, _) => 0);
        var error = Assert.Throws<InvalidDataFileException>(() => new PairedImageSource(dir.File("in"), dir.File("out")));
        Assert.EndsWith("b.png", error.FilePath);
        Assert.Contains("has no matching file in", error.Message);
    }

    [Fact]
    public void MasksKeepTheirClassValues()
    {
        using var dir = new TempDir();
        ImageFixtures.Rgb(dir.File("images/one.png"), 3, 5, 200, 10, 10);
        ImageFixtures.Rgb(dir.File("images/two.png"), 3, 5, 10, 200, 10);
        ImageFixtures.Gray(dir.File("masks/one.png"), 3, 5, (y, x) => (byte)(y * 5 + x));           // 8-bit indices 0..14
        ImageFixtures.Gray16(dir.File("masks/two.png"), 3, 5, (y, x) => (ushort)(300 + y * 5 + x)); // 16-bit, above 255
        var source = new SegmentationSource(dir.File("images"), dir.File("masks"));
        Assert.Equal([3L, 5], source.Fields[1].Shape);
        using var batch = source.Read([0, 1], 0);
        Assert.Equal([2L, 3, 3, 5], batch[Fields.Input].shape);
        Assert.Equal(ScalarType.Int64, batch[Fields.Mask].dtype);
        Assert.Equal([2L, 3, 5], batch[Fields.Mask].shape);
        Assert.Equal(Enumerable.Range(0, 15).Select(v => (long)v).ToArray(), batch[Fields.Mask][0].data<long>().ToArray());
        Assert.Equal(Enumerable.Range(300, 15).Select(v => (long)v).ToArray(), batch[Fields.Mask][1].data<long>().ToArray());
        Assert.Equal(200 / 255f, batch[Fields.Input][0, 0].mean().item<float>(), 5);
    }

    [Fact]
    public void PalettePngMasksGiveTheirIndicesNotTheirColours()
    {
        using var dir = new TempDir();
        ImageFixtures.Gray(dir.File("images/x.png"), 2, 3, (_, _) => 0);
        Directory.CreateDirectory(dir.File("masks"));
        // VOC-style colours: black background (0), dark red (1), dark green (2).
        Rgb24[] colours = [new(0, 0, 0), new(128, 0, 0), new(0, 128, 0)];
        using (var mask = new Image<Rgb24>(3, 2))
        {
            int[] classes = [0, 1, 2, 2, 1, 0];
            for (int i = 0; i < 6; i++) mask[i % 3, i / 3] = colours[classes[i]];
            mask.SaveAsPng(dir.File("masks/x.png"), new SixLabors.ImageSharp.Formats.Png.PngEncoder { ColorType = SixLabors.ImageSharp.Formats.Png.PngColorType.Palette });
        }
        var read = MaskFile.Read(dir.File("masks/x.png"));
        // ImageSharp orders its palette by first use, so check the mapping is one index per colour, stable across pixels.
        Assert.Equal(read.Classes[0], read.Classes[5]);
        Assert.Equal(read.Classes[1], read.Classes[4]);
        Assert.Equal(read.Classes[2], read.Classes[3]);
        Assert.Equal(3, read.Classes.Distinct().Count());
        Assert.All(read.Classes, c => Assert.InRange(c, 0, 255));
    }

    [Fact]
    public void AMaskOfTheWrongSizeOrColourIsNamed()
    {
        using var dir = new TempDir();
        ImageFixtures.Gray(dir.File("images/a.png"), 4, 4, (_, _) => 0);
        ImageFixtures.Gray(dir.File("images/b.png"), 4, 4, (_, _) => 0);
        ImageFixtures.Gray(dir.File("masks/a.png"), 4, 5, (_, _) => 1);
        ImageFixtures.Rgb(dir.File("masks/b.png"), 4, 4, 1, 2, 3);
        var source = new SegmentationSource(dir.File("images"), dir.File("masks"));
        var size = Assert.Throws<InvalidDataFileException>(() => source.Read([0], 0));
        Assert.Equal(dir.File("masks/a.png"), size.FilePath);
        Assert.Contains("mask is 4x5, its image a.png is 4x4", size.Message);
        var colour = Assert.Throws<InvalidDataFileException>(() => source.Read([1], 0));
        Assert.Equal(dir.File("masks/b.png"), colour.FilePath);
        Assert.Contains("one channel", colour.Message);
    }
}
