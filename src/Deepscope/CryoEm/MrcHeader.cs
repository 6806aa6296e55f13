using System.Buffers.Binary;
using System.Text;

namespace Deepscope.CryoEm;

/// <summary>MRC data modes (MRC2014): the sample type of the file.</summary>
public enum MrcMode
{
    Int8 = 0,
    Int16 = 1,
    Float32 = 2,
    Complex64 = 4,
    UInt16 = 6,
    Float16 = 12,
}

/// <summary>
/// The 1024-byte MRC2014 header (Cheng et al. 2015), every field by its standard name. Columns, rows and sections are
/// the file's storage axes; <see cref="Mapc"/>/<see cref="Mapr"/>/<see cref="Maps"/> say which of X, Y, Z (1, 2, 3) each
/// one is. <see cref="Ispg"/> 0 marks an image stack (NZ images), 1..230 a volume.
/// </summary>
public sealed record MrcHeader
{
    public const int Size = 1024;
    public const int VolumeSpaceGroup = 1;
    public const int StackSpaceGroup = 0;

    public int Nx { get; init; }
    public int Ny { get; init; }
    public int Nz { get; init; }
    public MrcMode Mode { get; init; } = MrcMode.Float32;
    public int NxStart { get; init; }
    public int NyStart { get; init; }
    public int NzStart { get; init; }
    public int Mx { get; init; }
    public int My { get; init; }
    public int Mz { get; init; }
    /// <summary>Cell lengths in ångström (X, Y, Z).</summary>
    public (float X, float Y, float Z) CellA { get; init; }
    public (float Alpha, float Beta, float Gamma) CellB { get; init; } = (90, 90, 90);
    public int Mapc { get; init; } = 1;
    public int Mapr { get; init; } = 2;
    public int Maps { get; init; } = 3;
    public float DMin { get; init; }
    public float DMax { get; init; }
    public float DMean { get; init; }
    public int Ispg { get; init; } = VolumeSpaceGroup;
    /// <summary>The extended header's type (e.g. CCP4, FEI1), four ASCII characters or empty.</summary>
    public string ExtType { get; init; } = "";
    public int NVersion { get; init; } = 20140;
    public (float X, float Y, float Z) Origin { get; init; }
    public float Rms { get; init; }
    public bool BigEndian { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];
    /// <summary>The extended header's bytes (NSYMBT of them), kept as read.</summary>
    public byte[] ExtendedHeader { get; init; } = [];

    public bool IsImageStack => Ispg == StackSpaceGroup;
    /// <summary>Voxel size in ångström per axis (cell length over sampling), 0 where the sampling is 0.</summary>
    public (float X, float Y, float Z) VoxelSize => (Mx == 0 ? 0 : CellA.X / Mx, My == 0 ? 0 : CellA.Y / My, Mz == 0 ? 0 : CellA.Z / Mz);
    public long Voxels => (long)Nx * Ny * Nz;
    public static int BytesPerSample(MrcMode mode) => mode switch
    {
        MrcMode.Int8 => 1,
        MrcMode.Int16 or MrcMode.UInt16 or MrcMode.Float16 => 2,
        MrcMode.Float32 => 4,
        MrcMode.Complex64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>
    /// Parses the header and checks that a file of <paramref name="fileLength"/> bytes holds exactly the header, the
    /// extended header and NX*NY*NZ samples (before allocating the extended header: a corrupt NSYMBT or size is a
    /// one-line error, not gigabytes); the path only names the file in errors.
    /// </summary>
    public static MrcHeader Parse(ReadOnlySpan<byte> bytes, string path, long fileLength)
    {
        if (bytes.Length < Size) throw new InvalidDataFileException(path, $"truncated MRC header ({bytes.Length} of {Size} bytes)");
        // MACHST: 0x44 0x44 (or 0x44 0x41) little-endian, 0x11 0x11 big-endian; all-zero stamps (old writers) are little-endian.
        bool bigEndian = bytes[212] == 0x11;
        var b = bytes[..Size].ToArray();
        int I(int offset) => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(offset)) : BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(offset));
        float F(int offset) => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(b.AsSpan(offset)) : BinaryPrimitives.ReadSingleLittleEndian(b.AsSpan(offset));
        int mode = I(12);
        if (!Enum.IsDefined(typeof(MrcMode), mode)) throw new InvalidDataFileException(path, $"unknown MRC mode {mode} (known: 0, 1, 2, 4, 6, 12)");
        int nx = I(0), ny = I(4), nz = I(8);
        if (nx <= 0 || ny <= 0 || nz <= 0) throw new InvalidDataFileException(path, $"invalid MRC dimensions {nx}x{ny}x{nz}");
        int nsymbt = I(92);
        if (nsymbt < 0) throw new InvalidDataFileException(path, $"negative extended header size {nsymbt}");
        // In double first: NX*NY*NZ of a corrupt header overflows a long.
        double needed = (double)Size + nsymbt + (double)nx * ny * nz * BytesPerSample((MrcMode)mode);
        if (needed != fileLength)
            throw new InvalidDataFileException(path, $"file is {fileLength:N0} bytes but its header ({nx}x{ny}x{nz}, mode {mode}, extended header {nsymbt}) needs {needed:N0}" +
                (fileLength < needed ? " (truncated)" : ""));
        int labelCount = Math.Clamp(I(220), 0, 10);
        var labels = new List<string>();
        for (int i = 0; i < labelCount; i++) labels.Add(Encoding.ASCII.GetString(bytes.Slice(224 + 80 * i, 80)).TrimEnd(' ', '\0'));
        return new MrcHeader
        {
            Nx = nx, Ny = ny, Nz = nz, Mode = (MrcMode)mode,
            NxStart = I(16), NyStart = I(20), NzStart = I(24), Mx = I(28), My = I(32), Mz = I(36),
            CellA = (F(40), F(44), F(48)), CellB = (F(52), F(56), F(60)),
            Mapc = I(64), Mapr = I(68), Maps = I(72), DMin = F(76), DMax = F(80), DMean = F(84), Ispg = I(88),
            ExtType = Encoding.ASCII.GetString(bytes.Slice(104, 4)).TrimEnd(' ', '\0'), NVersion = I(108),
            Origin = (F(196), F(200), F(204)), Rms = F(216), BigEndian = bigEndian, Labels = labels,
            ExtendedHeader = new byte[nsymbt],
        };
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        var span = bytes.AsSpan();
        bool big = BigEndian;
        void I(int offset, int value) { if (big) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(offset), value); else BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), value); }
        void F(int offset, float value) { if (big) BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(offset), value); else BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(offset), value); }
        I(0, Nx); I(4, Ny); I(8, Nz); I(12, (int)Mode);
        I(16, NxStart); I(20, NyStart); I(24, NzStart); I(28, Mx); I(32, My); I(36, Mz);
        F(40, CellA.X); F(44, CellA.Y); F(48, CellA.Z); F(52, CellB.Alpha); F(56, CellB.Beta); F(60, CellB.Gamma);
        I(64, Mapc); I(68, Mapr); I(72, Maps); F(76, DMin); F(80, DMax); F(84, DMean); I(88, Ispg); I(92, ExtendedHeader.Length);
        // EXTTYPE: four characters, space-padded; all zero when there is none.
        if (ExtType.Length > 0) Encoding.ASCII.GetBytes(ExtType.PadRight(4)[..4]).CopyTo(span[104..]);
        I(108, NVersion);
        F(196, Origin.X); F(200, Origin.Y); F(204, Origin.Z);
        "MAP "u8.CopyTo(span[208..]);
        (big ? [0x11, 0x11, 0, 0] : new byte[] { 0x44, 0x44, 0, 0 }).CopyTo(span[212..]);
        F(216, Rms);
        I(220, Math.Min(Labels.Count, 10));
        for (int i = 0; i < Math.Min(Labels.Count, 10); i++)
        {
            var label = Labels[i].Length > 80 ? Labels[i][..80] : Labels[i];
            Encoding.ASCII.GetBytes(label.PadRight(80)).CopyTo(span[(224 + 80 * i)..]);
        }
        return bytes;
    }
}
