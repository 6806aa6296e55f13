using System.IO.Compression;
using Deepscope.Data;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Data;

public class IdxDatasetTests
{
    [Fact]
    public void MnistHasThePublishedCountsAndPixelStatistics()
    {
        var store = new DatasetStore(SharedData.Require("mnist"), allowDownload: false);
        using var train = store.Load("mnist", Split.Train);
        using var test = store.Load("mnist", Split.Test);
        Assert.Equal([60000L, 1, 28, 28], train.Images.shape);
        Assert.Equal([10000L, 1, 28, 28], test.Images.shape);
        Assert.Equal(ScalarType.Byte, train.Images.dtype);
        Assert.Equal([5923L, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949], train.ClassCounts());
        Assert.Equal([980L, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009], test.ClassCounts());
        // The normalisation constants everyone uses for MNIST: mean 0.1307, std 0.3081 over the training pixels.
        using var pixels = train.ToFloat();
        Assert.Equal(0.1307, pixels.mean().item<float>(), 4);
        Assert.Equal(0.3081, pixels.std().item<float>(), 4);
        Assert.Equal(5L, train.Labels[0].item<long>()); // the famous first digit
    }

    [Fact]
    public void FashionMnistLoadsWithItsClassNames()
    {
        var store = new DatasetStore(SharedData.Require("fashion-mnist"), allowDownload: false);
        using var test = store.Load("fashion-mnist", Split.Test);
        Assert.Equal(10000, test.Count);
        Assert.All(test.ClassCounts(), c => Assert.Equal(1000L, c));
        Assert.Equal("Ankle boot", test.Classes[9]);
        using var pixels = test.ToFloat();
        Assert.Equal(0.2868, pixels.mean().item<float>(), 3);
    }

    [Fact]
    public void UncompressedFilesReadLikeGzipOnes()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        var folder = Directory.CreateDirectory(Path.Combine(dir.Path, "mnist")).FullName;
        foreach (var gz in Directory.GetFiles(Path.Combine(data, "mnist"), "t10k-*.gz"))
            Gunzip(gz, Path.Combine(folder, Path.GetFileNameWithoutExtension(gz)));
        using var plain = Datasets.Get("mnist").Load(folder, Split.Test);
        using var packed = new DatasetStore(data, false).Load("mnist", Split.Test);
        Assert.True(plain.Images.equal(packed.Images).all().item<bool>());
        Assert.True(plain.Labels.equal(packed.Labels).all().item<bool>());
    }

    [Fact]
    public void TruncatedGzipNamesTheFile()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        var folder = CopyMnist(data, dir);
        var images = Path.Combine(folder, "train-images-idx3-ubyte.gz");
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<InvalidDataFileException>(() => Datasets.Get("mnist").Load(folder, Split.Train));
        Assert.Equal(images, error.FilePath);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void WrongMagicAndCountMismatchAreReported()
    {
        using var dir = new TempDir();
        var folder = Directory.CreateDirectory(Path.Combine(dir.Path, "mnist")).FullName;
        WriteIdx(Path.Combine(folder, "t10k-images-idx3-ubyte"), [3, 28, 28], new byte[3 * 784]);
        WriteIdx(Path.Combine(folder, "t10k-labels-idx1-ubyte"), [2], [1, 2]);
        var mismatch = Assert.Throws<InvalidDataFileException>(() => Datasets.Get("mnist").Load(folder, Split.Test));
        Assert.Contains("2 labels", mismatch.Message);
        Assert.Contains("3 images", mismatch.Message);

        File.WriteAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte"), [0x1f, 0x00, 0x00, 0x01, 0, 0, 0, 0]);
        var magic = Assert.Throws<InvalidDataFileException>(() => Datasets.Get("mnist").Load(folder, Split.Test));
        Assert.Contains("wrong magic number", magic.Message);
        Assert.EndsWith("t10k-images-idx3-ubyte", magic.FilePath);
    }

    [Fact]
    public void CliReportsMnistCountsAndOneLineErrors()
    {
        var data = SharedData.Require("mnist");
        var (exit, stdout, _) = CliRunner.Run("data", "info", "mnist", "--data-dir", data);
        Assert.Equal(0, exit);
        Assert.Contains("60,000", stdout);
        Assert.Contains("10,000", stdout);
        Assert.Contains("10 classes", stdout);

        using var dir = new TempDir();
        var folder = CopyMnist(data, dir);
        var images = Path.Combine(folder, "train-images-idx3-ubyte.gz");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..1000]);
        var (badExit, _, stderr) = CliRunner.Run("data", "info", "mnist", "--data-dir", dir.Path, "--no-download");
        Assert.Equal(1, badExit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(images, line);
        Assert.DoesNotContain("   at ", stderr);
    }

    static string CopyMnist(string data, TempDir dir)
    {
        var folder = Directory.CreateDirectory(Path.Combine(dir.Path, "mnist")).FullName;
        foreach (var f in Directory.GetFiles(Path.Combine(data, "mnist"), "*.gz"))
            File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        return folder;
    }

    static void Gunzip(string source, string target)
    {
        using var input = new GZipStream(File.OpenRead(source), CompressionMode.Decompress);
        using var output = File.Create(target);
        input.CopyTo(output);
    }

    internal static void WriteIdx(string path, int[] dims, byte[] data)
    {
        using var s = File.Create(path);
        s.Write([0, 0, 0x08, (byte)dims.Length]);
        foreach (var d in dims) s.Write([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        s.Write(data);
    }
}
