using Deepscope.IO;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.IO;

public class NpyTests
{
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Npy", name);

    [Fact]
    public void ReadsNumpyWrittenArraysOfEveryLayout()
    {
        using var f8 = Npy.Read(Fixture("f8_c.npy"));
        Assert.Equal(ScalarType.Float64, f8.dtype);
        Assert.Equal([2L, 3], f8.shape);
        Assert.Equal([-0.5, -0.25, 0, 0.25, 0.5, 0.75], f8.data<double>().ToArray());

        // Fortran order is transposed back to C order: same logical values.
        using var f4 = Npy.Read(Fixture("f4_fortran.npy"));
        Assert.Equal([2L, 3], f4.shape);
        Assert.Equal([-0.5f, -0.25f, 0, 0.25f, 0.5f, 0.75f], f4.data<float>().ToArray());

        using var big = Npy.Read(Fixture("i4_bigendian.npy"));
        Assert.Equal([1, -2, 300000, -4], big.data<int>().ToArray());

        using var u1 = Npy.Read(Fixture("u1_3d.npy"));
        Assert.Equal([2L, 3, 4], u1.shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (byte)i).ToArray(), u1.data<byte>().ToArray());

        using var i8 = Npy.Read(Fixture("i8_1d.npy"));
        Assert.Equal([7L, -1, 1L << 40], i8.data<long>().ToArray());

        using var b1 = Npy.Read(Fixture("b1_scalar_shape.npy"));
        Assert.Equal([true, false, true], b1.data<bool>().ToArray());
    }

    [Fact]
    public void WritesFilesNumpyReadsByteForByte()
    {
        // Our header layout equals numpy's for the same array, so the whole file is identical.
        using var dir = new TempDir();
        using var values = Npy.Read(Fixture("f8_c.npy"));
        Npy.Write(dir.File("out.npy"), values);
        Assert.Equal(File.ReadAllBytes(Fixture("f8_c.npy")), File.ReadAllBytes(dir.File("out.npy")));
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Byte)]
    public void RoundTripsEachDtype(ScalarType type)
    {
        using var dir = new TempDir();
        using var original = arange(0, 60, dtype: ScalarType.Float64).mul(1.5).reshape(3, 4, 5).to_type(type);
        Npy.Write(dir.File("a.npy"), original);
        using var back = Npy.Read(dir.File("a.npy"));
        Assert.Equal(type, back.dtype);
        Assert.Equal(original.shape, back.shape);
        Assert.True(original.equal(back).all().item<bool>());
        var (headerType, headerShape) = Npy.ReadShape(dir.File("a.npy"));
        Assert.Equal(type, headerType);
        Assert.Equal([3L, 4, 5], headerShape);
    }

    [Fact]
    public void ReadsNpzArchives()
    {
        var arrays = Npy.ReadNpz(Fixture("pair.npz"));
        Assert.Equal(["x", "y"], arrays.Keys.Order());
        Assert.Equal([3L, 1], arrays["y"].data<long>().ToArray());
        Assert.Equal(ScalarType.Float32, arrays["x"].dtype);
        foreach (var t in arrays.Values) t.Dispose();
    }

    [Fact]
    public void TruncatedOrForeignFilesGiveErrorsNamingTheFile()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Fixture("f8_c.npy"));
        File.WriteAllBytes(dir.File("cut.npy"), bytes[..^5]);
        var cut = Assert.Throws<InvalidDataFileException>(() => Npy.Read(dir.File("cut.npy")));
        Assert.Contains("cut.npy", cut.Message);
        Assert.Contains("truncated", cut.Message);

        File.WriteAllText(dir.File("text.npy"), "not numpy at all");
        var foreign = Assert.Throws<InvalidDataFileException>(() => Npy.Read(dir.File("text.npy")));
        Assert.Contains("wrong magic", foreign.Message);
    }

    [Fact]
    public void StreamWriterAppendsBatchesAndOnlyPublishesOnComplete()
    {
        using var dir = new TempDir();
        var path = dir.File("features.npy");
        using (var writer = new NpyStreamWriter(path, ScalarType.Float32, 4))
        {
            for (int b = 0; b < 3; b++)
                using (var batch = full(new long[] { 5, 4 }, (float)b))
                    writer.Append(batch);
            Assert.False(File.Exists(path));
            writer.Complete();
        }
        using var all = Npy.Read(path);
        Assert.Equal([15L, 4], all.shape);
        Assert.Equal(2f, all[14, 3].item<float>());
        Assert.Equal(5 * 4 * (0f + 1 + 2), all.sum().item<float>());
        Assert.Single(Directory.GetFiles(dir.Path));

        // Abandoned without Complete: nothing is published and no temporary file stays behind.
        using (var abandoned = new NpyStreamWriter(dir.File("partial.npy"), ScalarType.Float32, 4))
            using (var batch = ones(2, 4)) abandoned.Append(batch);
        Assert.False(File.Exists(dir.File("partial.npy")));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void StreamWriterRejectsBatchesOfTheWrongShape()
    {
        using var dir = new TempDir();
        using var writer = new NpyStreamWriter(dir.File("f.npy"), ScalarType.Float32, 4);
        using var wrong = ones(2, 5);
        Assert.Throws<DeepscopeException>(() => writer.Append(wrong));
    }
}
