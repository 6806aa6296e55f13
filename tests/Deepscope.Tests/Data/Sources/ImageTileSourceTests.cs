using Deepscope.Data;
using Deepscope.Data.Sources;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Data.Sources;

public class ImageTileSourceTests
{
    // Pixel (y, x) of image i holds a value that names it, so every tile can be checked against its window.
    static ushort Value(int image, int y, int x) => (ushort)(image * 20000 + y * 100 + x);

    static string Tiff(TempDir dir, string name, int image, int height, int width)
    {
        var samples = new ushort[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) samples[y * width + x] = Value(image, y, x);
        ImageFile.WriteTiff16(dir.File(name), samples, 1, height, width);
        return dir.File(name);
    }

    static void AssertWindow(Tensor tile, int image, int top, int left, int size, float scale)
    {
        var expected = new float[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) expected[y * size + x] = Value(image, top + y, left + x) / scale;
        Assert.Equal(expected, tile.data<float>().ToArray());
    }

    [Fact]
    public void StripTiffTilesAreTheirWindowsAndNeedNoCache()
    {
        using var dir = new TempDir();
        // 300 columns of 16 bits: WriteTiff16 puts 109 rows in a strip, so tiles lower down start in later strips.
        string[] files = [Tiff(dir, "a.tif", 0, 250, 300), Tiff(dir, "b.tif", 1, 40, 60)];
        var source = new ImageTileSource(files, tileSize: 32, stride: 24, labels: [3, 5]);
        // a: rows (250-32)/24+1 = 10, columns (300-32)/24+1 = 12; b: 1 x 2.
        Assert.Equal(10 * 12 + 1 * 2, source.Count);
        Assert.Equal((0, 9 * 24, 11 * 24), source.Tile(119));
        Assert.Equal((1, 0, 24), source.Tile(121));
        using var batch = source.Read([119, 121, 13], 0);
        Assert.Equal([3L, 1, 32, 32], batch[Fields.Input].shape);
        AssertWindow(batch[Fields.Input][0], 0, 216, 264, 32, 65535f);
        AssertWindow(batch[Fields.Input][1], 1, 0, 24, 32, 65535f);
        AssertWindow(batch[Fields.Input][2], 0, 24, 24, 32, 65535f);
        Assert.Equal([0L, 1, 0], batch[Fields.Group].data<long>().ToArray());
        Assert.Equal([3L, 5, 3], batch[Fields.Label].data<long>().ToArray());
        Assert.Equal(0, source.CachedImages);
    }

    [Fact]
    public void OtherFormatsAreDecodedOnceIntoABoundedCache()
    {
        using var dir = new TempDir();
        var files = Enumerable.Range(0, 5)
            .Select(i => ImageFixtures.Gray(dir.File($"{i}.png"), 20, 30, (y, x) => (byte)(i * 40 + y + x))).ToArray();
        var source = new ImageTileSource(files, tileSize: 10, cachedImages: 2);
        Assert.Equal(5 * 2 * 3, source.Count);
        var loader = new BatchLoader(source, 7);
        using var order = new TorchSharp.torch.Generator(1);
        foreach (var batch in loader.Epoch(0, order))
            using (batch) Assert.InRange(source.CachedImages, 1, 2);
        using var tile = source.Read([4 * 6 + 5], 0); // image 4, tile row 1, column 2
        var expected = new float[100];
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 10; x++) expected[y * 10 + x] = ImageFixtures.Unit((byte)(160 + 10 + y + 20 + x));
        Assert.Equal(expected, tile[Fields.Input].data<float>().ToArray());
    }

    [Fact]
    public void AnImageSmallerThanATileIsNamed()
    {
        using var dir = new TempDir();
        var small = ImageFixtures.Gray(dir.File("small.png"), 8, 40, (_, _) => 0);
        var error = Assert.Throws<InvalidDataFileException>(() => new ImageTileSource([small], tileSize: 16));
        Assert.Equal(small, error.FilePath);
        Assert.Contains("8x40 is smaller than the 16x16 tile", error.Message);
    }
}
