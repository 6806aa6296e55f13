using System.Buffers.Binary;
using System.Globalization;
using Deepscope.CryoEm;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.CryoEm;

public sealed class MrcFileTests
{
    public static TheoryData<MrcMode, bool> ModesAndOrders()
    {
        var data = new TheoryData<MrcMode, bool>();
        foreach (var mode in Enum.GetValues<MrcMode>())
            foreach (var big in new[] { false, true }) data.Add(mode, big);
        return data;
    }

    [Theory]
    [MemberData(nameof(ModesAndOrders))]
    public void EveryMode_RoundTrips_InBothByteOrders(MrcMode mode, bool bigEndian)
    {
        using var dir = new TempDir();
        int components = mode == MrcMode.Complex64 ? 2 : 1;
        var values = Enumerable.Range(0, 5 * 4 * 3 * components).Select(i => (float)(mode is MrcMode.UInt16 ? i * 3 : i * 3 - 50)).ToArray();
        var header = MrcFile.NewHeader(5, 4, 3, stack: false, voxelSize: 1.5f, mode) with
        {
            BigEndian = bigEndian, Labels = ["test label"], ExtendedHeader = [1, 2, 3, 4, 5, 6, 7, 8], ExtType = "CCP4", Origin = (1, 2, 3),
        };
        MrcFile.Write(dir.File("a.mrc"), new MrcMap(header, values));
        var read = MrcFile.Read(dir.File("a.mrc"));
        Assert.Equal(values, read.Data);
        Assert.Equal((5, 4, 3, mode, bigEndian), (read.Header.Nx, read.Header.Ny, read.Header.Nz, read.Header.Mode, read.Header.BigEndian));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, read.Header.ExtendedHeader);
        Assert.Equal(("CCP4", 1.5f, "test label"), (read.Header.ExtType, read.Header.VoxelSize.X, read.Header.Labels[0]));
        Assert.Equal(20140, read.Header.NVersion);
    }

    [Fact]
    public void ZeroMachineStamp_ReadsAsLittleEndian()
    {
        using var dir = new TempDir();
        MrcFile.Write(dir.File("a.mrc"), new MrcMap(MrcFile.NewHeader(2, 2, 1, stack: false), [1, 2, 3, 4]));
        var bytes = File.ReadAllBytes(dir.File("a.mrc"));
        bytes.AsSpan(212, 4).Clear();
        File.WriteAllBytes(dir.File("b.mrc"), bytes);
        Assert.Equal([1f, 2, 3, 4], MrcFile.Read(dir.File("b.mrc")).Data);
    }

    [Fact]
    public void MalformedFiles_AreOneLineErrors()
    {
        using var dir = new TempDir();
        MrcFile.Write(dir.File("a.mrc"), new MrcMap(MrcFile.NewHeader(4, 4, 2, stack: true), new float[32]));
        var bytes = File.ReadAllBytes(dir.File("a.mrc"));
        File.WriteAllBytes(dir.File("truncated.mrc"), bytes[..^10]);
        File.WriteAllBytes(dir.File("short.mrc"), bytes[..500]);
        File.WriteAllBytes(dir.File("long.mrc"), [.. bytes, 0, 0, 0, 0]);
        var mode = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(mode.AsSpan(12), 3);
        File.WriteAllBytes(dir.File("mode.mrc"), mode);
        string Error(string name) => Assert.Throws<InvalidDataFileException>(() => MrcFile.Read(dir.File(name))).Message;
        Assert.Contains("truncated", Error("truncated.mrc"));
        Assert.Contains("truncated MRC header (500 of 1024 bytes)", Error("short.mrc"));
        Assert.Contains("needs 1,152", Error("long.mrc"));
        Assert.Contains("unknown MRC mode 3", Error("mode.mrc"));
        Assert.All(new[] { "truncated.mrc", "short.mrc", "long.mrc", "mode.mrc" }, n => Assert.DoesNotContain('\n', Error(n)));
    }

    /// <summary>
    /// Garbage in NX/NY/NZ or NSYMBT: the size check used to overflow (a negative byte count in the message) and the
    /// extended header was allocated (up to 2 GB) before the file's size was compared.
    /// </summary>
    [Fact]
    public void CorruptSizes_AreCaughtBeforeAllocating()
    {
        using var dir = new TempDir();
        MrcFile.Write(dir.File("a.mrcs"), new MrcMap(MrcFile.NewHeader(4, 4, 2, stack: true), new float[32]));
        var bytes = File.ReadAllBytes(dir.File("a.mrcs"));
        var huge = (byte[])bytes.Clone();
        for (int axis = 0; axis < 3; axis++) BinaryPrimitives.WriteInt32LittleEndian(huge.AsSpan(4 * axis), 2_000_000_000);
        File.WriteAllBytes(dir.File("huge.mrcs"), huge);
        var extended = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(extended.AsSpan(92), 2_000_000_000);
        File.WriteAllBytes(dir.File("extended.mrcs"), extended);
        var message = Assert.Throws<InvalidDataFileException>(() => MrcFile.Read(dir.File("huge.mrcs"))).Message;
        Assert.Contains("(2000000000x2000000000x2000000000, mode 2, extended header 0) needs 32,000,000,000,000,000,", message);
        Assert.EndsWith("(truncated)", message);
        long before = GC.GetAllocatedBytesForCurrentThread();
        message = Assert.Throws<InvalidDataFileException>(() => MrcFile.Read(dir.File("extended.mrcs"))).Message;
        Assert.Contains("extended header 2000000000) needs 2,000,001,152 (truncated)", message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "the corrupt extended header was allocated");
    }

    /// <summary>A map of more samples than an array holds used to be an internal OutOfMemoryException (the file is sparse: no disk used).</summary>
    [Fact]
    public void MapLargerThanAnArray_IsAOneLineError()
    {
        using var dir = new TempDir();
        using (var file = File.Create(dir.File("big.mrc")))
        {
            file.Write(MrcFile.NewHeader(1291, 1291, 1291, stack: false).ToBytes());
            file.SetLength(MrcHeader.Size + 4L * 1291 * 1291 * 1291);
        }
        var message = Assert.Throws<InvalidDataFileException>(() => MrcFile.Read(dir.File("big.mrc"))).Message;
        Assert.Contains("big.mrc: 1291x1291x1291 samples are more than one array holds", message);
    }

    [Fact]
    public void AxisOrder_IsApplied()
    {
        // Stored with columns = Z, rows = X, sections = Y (MAPC 3, MAPR 1, MAPS 2).
        var header = MrcFile.NewHeader(2, 3, 4, stack: false) with { Mapc = 3, Mapr = 1, Maps = 2 };
        var data = new float[24];
        for (int s = 0; s < 4; s++)
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 2; c++) data[(s * 3 + r) * 2 + c] = 100 * c + 10 * r + s; // z=c, x=r, y=s
        var (xyz, nx, ny, nz) = new MrcMap(header, data).InXyzOrder();
        Assert.Equal((3, 4, 2), (nx, ny, nz));
        for (int z = 0; z < 2; z++)
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 3; x++) Assert.Equal(100 * z + 10 * x + y, xyz[(z * 4 + y) * 3 + x]);
    }

    /// <summary>mrcfile's own test maps read the same in both; a stack we write validates in mrcfile and reads back unchanged there.</summary>
    [Fact]
    public void AgreesWithMrcfile_BothWays()
    {
        PythonPeer.Require("mrcfile", "numpy");
        var data = SharedData.Require("cryoem/mrcfile-testdata");
        foreach (var name in new[] { "EMD-3197.map", "EMD-3001.map" })
        {
            var path = Path.Combine(data, "cryoem/mrcfile-testdata", name);
            var map = MrcFile.Read(path);
            var expected = PythonPeer.Run("""
                import sys, mrcfile
                with mrcfile.open(sys.argv[1]) as m:
                    h = m.header
                    print(h.nx, h.ny, h.nz, h.mode, h.ispg, h.nsymbt, repr(float(m.voxel_size.x)), repr(float(m.data.astype('float64').sum())), repr(float(m.data.flat[123])))
                """, path).Trim().Split(' ');
            Assert.Equal(expected[..6].Select(int.Parse), new[] { map.Header.Nx, map.Header.Ny, map.Header.Nz, (int)map.Header.Mode, map.Header.Ispg, map.Header.ExtendedHeader.Length });
            Assert.Equal(double.Parse(expected[6], CultureInfo.InvariantCulture), map.Header.VoxelSize.X, 5);
            Assert.Equal(double.Parse(expected[7], CultureInfo.InvariantCulture), map.Data.Sum(v => (double)v), 6);
            Assert.Equal(double.Parse(expected[8], CultureInfo.InvariantCulture), map.Data[123]);
        }
        using var dir = new TempDir();
        using (var writer = new MrcStackWriter(dir.File("s.mrcs"), 6, 5, 2.5f))
        {
            writer.Append(Enumerable.Range(0, 60).Select(i => i * 0.25f).ToArray());
            writer.Complete();
        }
        var check = PythonPeer.Run("""
            import sys, mrcfile, numpy as np
            assert mrcfile.validate(sys.argv[1], print_file=open('/dev/null', 'w'))
            with mrcfile.open(sys.argv[1]) as m:
                assert m.is_image_stack()
                print(m.data.shape, float(m.voxel_size.x), bool(np.array_equal(m.data.ravel(), np.arange(60) * 0.25)), float(m.header.rms) == float(np.float32(m.data.std())))
            """, dir.File("s.mrcs")).Trim();
        Assert.Equal("(2, 5, 6) 2.5 True True", check);
        // mrcfile writes a big-endian int16 volume; we read it.
        PythonPeer.Run("""
            import sys, mrcfile, numpy as np
            with mrcfile.new(sys.argv[1]) as m:
                m.set_data(np.arange(24, dtype='>i2').reshape(2, 3, 4))
                m.voxel_size = 1.25
            """, dir.File("b.mrc"));
        var back = MrcFile.Read(dir.File("b.mrc"));
        Assert.True(back.Header.BigEndian);
        Assert.Equal((MrcMode.Int16, 1.25f), (back.Header.Mode, back.Header.VoxelSize.Z));
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), back.Data);
    }

    [Fact]
    public void StarFile_ReadsRelion31Blocks()
    {
        var data = SharedData.Require("cryoem/cryodrgn-testdata/relion31.star");
        var blocks = StarFile.Read(Path.Combine(data, "cryoem/cryodrgn-testdata/relion31.star"));
        var optics = StarFile.Block(blocks, "optics", "relion31.star");
        Assert.Equal([300.0], optics.Numbers("rlnVoltage"));
        Assert.Equal([2.806], optics.Numbers("rlnImagePixelSize"));
        var particles = StarFile.Block(blocks, "particles", "relion31.star");
        Assert.Equal(5, particles.Rows.Count);
        var legacy = StarFile.Read(Path.Combine(data, "cryoem/cryodrgn-testdata/empiar_10076_7.star"));
        var single = StarFile.Block(legacy, "", "empiar_10076_7.star");
        Assert.Equal("1@empiar_10076_7.mrc", single.Rows[0][single.Column("rlnImageName")]);
        Assert.Equal(15301.1, single.Numbers("rlnDefocusU")[0]);
    }
}
