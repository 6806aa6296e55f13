using System.Collections.Concurrent;
using Deepscope.Data;
using Deepscope.Data.Sources;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Data.Sources;

public class ImageFolderSourceTests
{
    [Fact]
    public void DecodesOnlyTheFilesOfTheRowsRead()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 6; i++)
            ImageFixtures.Gray(Path.Combine(dir.Path, i < 4 ? "cat" : "dog", $"{i}.png"), 5, 7, (y, x) => (byte)(10 * i + y + x));
        var opened = new ConcurrentQueue<string>();
        var source = new ImageFolderSource(dir.Path, decode: path => { opened.Enqueue(Path.GetFileName(path)); return ImageFile.Read(path); });
        Assert.Equal(["0.png"], opened); // the first file gives the shape
        Assert.Equal(6, source.Count);
        Assert.Equal(["cat", "dog"], source.Classes);
        Assert.Equal([1L, 5, 7], source.Fields[0].Shape);

        opened.Clear();
        using var batch = source.Read([5, 1], epoch: 0);
        Assert.Equal(["5.png", "1.png"], opened);
        Assert.Equal([2L, 1, 5, 7], batch[Fields.Input].shape);
        Assert.Equal(ScalarType.Float32, batch[Fields.Input].dtype);
        Assert.Equal([1L, 0], batch[Fields.Label].data<long>().ToArray());
        Assert.Equal(ImageFixtures.Unit(50 + 2 + 3), batch[Fields.Input][0, 0, 2, 3].item<float>(), 6);
        Assert.Equal(ImageFixtures.Unit(10 + 4 + 6), batch[Fields.Input][1, 0, 4, 6].item<float>(), 6);
    }

    [Fact]
    public void MemoryDoesNotGrowWithTheFolderRead()
    {
        // 2,000 images of 32x32: 8 MB once decoded to float32, against the few hundred kB one batch needs.
        using var dir = new TempDir();
        for (int i = 0; i < 2000; i++)
            ImageFixtures.Gray(Path.Combine(dir.Path, (i % 2).ToString(), $"{i:D4}.png"), 32, 32, (y, x) => (byte)(i + y * x));
        var source = new ImageFolderSource(dir.Path);
        var loader = new BatchLoader(source, 100);
        long after = 0, firstBatch = 0, read = 0;
        foreach (var batch in loader.Epoch(0))
        {
            using (batch) read += batch.Count;
            if (firstBatch == 0) firstBatch = GC.GetTotalMemory(forceFullCollection: true);
        }
        after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal(2000, read);
        Assert.True(after - firstBatch < 1_000_000, $"managed memory grew by {after - firstBatch:N0} bytes over the folder");
    }

    [Fact]
    public void SixteenBitTiffsKeepTheirDepth()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("a"));
        var samples = Enumerable.Range(0, 12).Select(i => (ushort)(i * 5000 + 7)).ToArray();
        ImageFile.WriteTiff16(dir.File("a/x.tif"), samples, 1, 3, 4);
        using var batch = new ImageFolderSource(dir.Path).Read([0], 0);
        Assert.Equal(samples.Select(v => v / 65535f).ToArray(), batch[Fields.Input].data<float>().ToArray());
    }

    [Fact]
    public void BadFilesAreNamed()
    {
        using var dir = new TempDir();
        ImageFixtures.Gray(dir.File("c/a.png"), 4, 4, (_, _) => 1);
        ImageFixtures.Gray(dir.File("c/b.png"), 5, 4, (_, _) => 1);
        File.WriteAllText(dir.File("c/c.png"), "not a png");
        var source = new ImageFolderSource(dir.Path);
        var size = Assert.Throws<InvalidDataFileException>(() => source.Read([0, 1], 0));
        Assert.EndsWith("b.png", size.FilePath);
        Assert.Contains("image is 5x4, the others 4x4", size.Message);
        var corrupt = Assert.Throws<InvalidDataFileException>(() => source.Read([2], 0));
        Assert.EndsWith("c.png", corrupt.FilePath);
        Assert.Contains("cannot decode", corrupt.Message);

        using var resized = new ImageFolderSource(dir.Path, grayscale: false, resize: 3).Read([0, 1], 0);
        Assert.Equal([2L, 3, 3, 3], resized[Fields.Input].shape);
    }
}
