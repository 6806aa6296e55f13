using Deepscope.Data;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Data;

public class CifarDatasetTests
{
    [Fact]
    public void RecordsRoundTripChannelFirst()
    {
        using var dir = new TempDir();
        var folder = Directory.CreateDirectory(Path.Combine(dir.Path, "cifar10", "cifar-10-batches-bin")).FullName;
        // Two records with known labels and a pixel pattern: value = (channel * 7 + row * 3 + column) mod 256.
        var labels = new byte[] { 3, 9 };
        var records = new List<byte>();
        foreach (var label in labels)
        {
            records.Add(label);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 32; y++)
                    for (int x = 0; x < 32; x++)
                        records.Add((byte)((c * 7 + y * 3 + x + label) % 256));
        }
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), records.ToArray());
        File.WriteAllBytes(Path.Combine(folder, "data_batch_1.bin"), records.ToArray());

        using var set = Datasets.Get("cifar10").Load(Path.Combine(dir.Path, "cifar10"), Split.Test);
        Assert.Equal([2L, 3, 32, 32], set.Images.shape);
        Assert.Equal([3L, 9], set.Labels.data<long>().ToArray());
        Assert.Equal((byte)((2 * 7 + 5 * 3 + 11 + 9) % 256), set.Images[1, 2, 5, 11].item<byte>());
        Assert.Equal("cat", set.Classes[3]);
    }

    [Fact]
    public void WrongSizeIsAnError()
    {
        using var dir = new TempDir();
        var folder = Directory.CreateDirectory(Path.Combine(dir.Path, "cifar10")).FullName;
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), new byte[3073 + 10]);
        File.WriteAllBytes(Path.Combine(folder, "data_batch_1.bin"), new byte[3073]);
        var error = Assert.Throws<InvalidDataFileException>(() => Datasets.Get("cifar10").Load(folder, Split.Test));
        Assert.Contains("test_batch.bin", error.Message);
        Assert.Contains("3073-byte", error.Message);
    }

    [Fact]
    public void SharedCifar10MatchesItsPublishedCounts()
    {
        var store = new DatasetStore(SharedData.Require("cifar10/test_batch.bin"), allowDownload: false);
        using var test = store.Load("cifar10", Split.Test);
        using var train = store.Load("cifar10", Split.Train);
        Assert.Equal([10000L, 3, 32, 32], test.Images.shape);
        Assert.All(test.ClassCounts(), c => Assert.Equal(1000L, c));
        if (train.Count == 10000) // only data_batch_1 is here for now
            Assert.Equal([1005L, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981], train.ClassCounts());
        else
            Assert.All(train.ClassCounts(), c => Assert.Equal(train.Count / 10, c));
        Assert.Equal(["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"], test.Classes);
    }
}
