using Deepscope.Data;
using Deepscope.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Deepscope.Tests.Data;

public class ImageFolderTests
{
    [Fact]
    public void SixteenBitTiffRoundTripsExactly()
    {
        using var dir = new TempDir();
        const int h = 5, w = 7;
        var gray = Enumerable.Range(0, h * w).Select(i => (ushort)(i * 1871 % 65536)).ToArray();
        ImageFile.WriteTiff16(dir.File("gray.tif"), gray, 1, h, w);
        var read = ImageFile.Read(dir.File("gray.tif"));
        Assert.Equal((1, h, w, 16), (read.Channels, read.Height, read.Width, read.BitsPerSample));
        Assert.Equal(gray.Select(v => v / 65535f).ToArray(), read.Pixels);
        Assert.Contains(read.Pixels, p => p > 0.9f); // values above 8 bits survive

        var rgb = Enumerable.Range(0, 3 * h * w).Select(i => (ushort)(65535 - i * 97)).ToArray();
        ImageFile.WriteTiff16(dir.File("rgb.tiff"), rgb, 3, h, w);
        var color = ImageFile.Read(dir.File("rgb.tiff"));
        Assert.Equal(3, color.Channels);
        Assert.Equal(rgb.Select(v => v / 65535f).ToArray(), color.Pixels);
    }

    [Fact]
    public void TiffBandsEqualTheWholeImagesRowsAcrossStrips()
    {
        using var dir = new TempDir();
        const int h = 300, w = 400; // 81 rows per LZW strip: bands start inside strips and cross them
        var samples = Enumerable.Range(0, h * w).Select(i => (ushort)(i * 7919 % 65536)).ToArray();
        ImageFile.WriteTiff16(dir.File("big.tif"), samples, 1, h, w);
        var whole = ImageFile.Read(dir.File("big.tif"));
        foreach (var (top, rows) in new[] { (0, 10), (75, 20), (250, 50) })
        {
            var band = ImageFile.ReadTiffRows(dir.File("big.tif"), top, rows)!;
            Assert.Equal((rows, w, 16), (band.Height, band.Width, band.BitsPerSample));
            Assert.Equal(whole.Pixels.AsSpan(top * w, rows * w).ToArray(), band.Pixels);
        }
        Assert.Throws<InvalidDataFileException>(() => ImageFile.ReadTiffRows(dir.File("big.tif"), 290, 20));
        Assert.Equal((h, w), ImageFile.ReadSize(dir.File("big.tif")));
    }

    [Fact]
    public void EightBitPngScalesBy255AndStaysGray()
    {
        using var dir = new TempDir();
        using (var image = new Image<L8>(3, 2))
        {
            image[0, 0] = new L8(255);
            image[2, 1] = new L8(51);
            image.SaveAsPng(dir.File("a.png"));
        }
        var read = ImageFile.Read(dir.File("a.png"));
        Assert.Equal(1, read.Channels);
        Assert.Equal(8, read.BitsPerSample); // the file's depth, not the 16-bit pixels it is decoded into
        Assert.Equal(1f, read.Pixels[0]);
        Assert.Equal(51 / 255f, read.Pixels[1 * 3 + 2], 6);
    }

    [Fact]
    public void FoldersGiveSortedClassesAndTilesKeepTheirSourceImage()
    {
        using var dir = new TempDir();
        WritePng(Path.Combine(dir.Path, "b_forgery", "one.png"), 8, 12, 40);
        WritePng(Path.Combine(dir.Path, "a_authentic", "two.png"), 8, 12, 200);
        WritePng(Path.Combine(dir.Path, "a_authentic", "three.png"), 8, 12, 120);

        using var whole = ImageFolder.Load(dir.Path);
        Assert.Equal(["a_authentic", "b_forgery"], whole.Classes);
        Assert.Equal([3L, 1, 8, 12], whole.Images.shape);
        Assert.Equal([0L, 0, 1], whole.Labels.data<long>().ToArray());

        using var tiles = ImageFolder.Load(dir.Path, new ImageFolderOptions(TileSize: 4));
        Assert.Equal(3 * 2 * 3, tiles.Count); // 2x3 tiles of 4x4 per 8x12 image
        Assert.Equal([0L, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2], tiles.Groups!.data<long>().ToArray());
        // Tiles of "three.png" (sorted after... "three" < "two") carry its constant value.
        Assert.Equal(120 / 255f, tiles.Images[0].mean().item<float>(), 5);

        using var resized = ImageFolder.Load(dir.Path, new ImageFolderOptions(Grayscale: false, Resize: 6));
        Assert.Equal([3L, 3, 6, 6], resized.Images.shape);
        Assert.Equal(200 / 255f, resized.Images[1].mean().item<float>(), 4);
    }

    [Fact]
    public void CsvListsPathsAndLabels()
    {
        using var dir = new TempDir();
        WritePng(dir.File("x.png"), 4, 4, 10);
        WritePng(dir.File("y.png"), 4, 4, 20);
        File.WriteAllText(dir.File("list.csv"), "path,label\nx.png,cat\ny.png,ant\n");
        using var set = ImageFolder.Load(dir.File("list.csv"));
        Assert.Equal(["ant", "cat"], set.Classes);
        Assert.Equal([1L, 0], set.Labels.data<long>().ToArray());
    }

    [Fact]
    public void UnreadableImagesAndMixedSizesAreNamed()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("c"));
        File.WriteAllText(dir.File("c/broken.png"), "this is not a png");
        var error = Assert.Throws<InvalidDataFileException>(() => ImageFolder.Load(dir.Path));
        Assert.EndsWith("broken.png", error.FilePath);
        Assert.Contains("cannot decode", error.Message);

        File.Delete(dir.File("c/broken.png"));
        WritePng(dir.File("c/a.png"), 4, 4, 1);
        WritePng(dir.File("c/b.png"), 5, 4, 1);
        var sizes = Assert.Throws<InvalidDataFileException>(() => ImageFolder.Load(dir.Path));
        Assert.Contains("differ in size", sizes.Message);
    }

    static void WritePng(string path, int height, int width, byte value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<Rgb24>(width, height, new Rgb24(value, value, value));
        image.SaveAsPng(path);
    }
}
