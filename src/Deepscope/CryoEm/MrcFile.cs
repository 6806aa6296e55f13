using System.Buffers.Binary;
using Deepscope.IO;

namespace Deepscope.CryoEm;

/// <summary>
/// An MRC map or image stack in memory: the header and the samples as float32 in storage order (sections, rows,
/// columns; complex mode 4 as interleaved real and imaginary parts). Modes 0, 1, 6 and 12 convert exactly to float32.
/// </summary>
public sealed record MrcMap(MrcHeader Header, float[] Data)
{
    public int Components => Header.Mode == MrcMode.Complex64 ? 2 : 1;

    /// <summary>Section <paramref name="index"/> (an image of a stack, a z-slice of a volume) as a row-major NY x NX array.</summary>
    public ReadOnlySpan<float> Section(int index) => Data.AsSpan(index * Header.Nx * Header.Ny * Components, Header.Nx * Header.Ny * Components);

    /// <summary>
    /// The samples in X-fastest order (Z, Y, X) whatever MAPC/MAPR/MAPS say, with the sizes along X, Y and Z; real modes only.
    /// </summary>
    public (float[] Data, int X, int Y, int Z) InXyzOrder()
    {
        var h = Header;
        if (Components != 1) throw new DeepscopeException("axis reordering needs a real-valued map");
        int[] axes = [h.Mapc, h.Mapr, h.Maps];
        if (axes.Order().SequenceEqual([1, 2, 3]) == false) throw new DeepscopeException($"invalid MAPC/MAPR/MAPS {h.Mapc}/{h.Mapr}/{h.Maps}");
        int[] storageSize = [h.Nx, h.Ny, h.Nz];
        var size = new int[3];
        for (int i = 0; i < 3; i++) size[axes[i] - 1] = storageSize[i];
        var output = new float[Data.Length];
        var index = new int[3];
        for (int s = 0; s < h.Nz; s++)
            for (int r = 0; r < h.Ny; r++)
                for (int c = 0; c < h.Nx; c++)
                {
                    index[axes[0] - 1] = c; index[axes[1] - 1] = r; index[axes[2] - 1] = s;
                    output[((long)index[2] * size[1] + index[1]) * size[0] + index[0]] = Data[((long)s * h.Ny + r) * h.Nx + c];
                }
        return (output, size[0], size[1], size[2]);
    }
}

/// <summary>
/// Reads and writes MRC2014 files (.mrc maps, .mrcs stacks): modes 0, 1, 2, 4, 6, 12, both byte orders, the extended
/// header kept as bytes. Writes are atomic and fill the header's statistics (DMIN, DMAX, DMEAN, RMS = standard
/// deviation, as mrcfile) and MRC2014's stamps. A file whose size is not header + extended header + NX*NY*NZ samples
/// is a one-line error.
/// </summary>
public static class MrcFile
{
    public static MrcMap Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataFileException(path, "file not found");
        using var stream = File.OpenRead(path);
        var header = ReadHeader(stream, path);
        long samples = header.Voxels * (header.Mode == MrcMode.Complex64 ? 2 : 1);
        if (samples > Array.MaxLength)
            throw new InvalidDataFileException(path, $"{header.Nx}x{header.Ny}x{header.Nz} samples are more than one array holds (at most {Array.MaxLength:N0})");
        var data = new float[samples];
        ReadSamples(stream, header, data, path);
        return new MrcMap(header, data);
    }

    /// <summary>The header (with the extended header's bytes), the stream left at the first sample; checks the file size.</summary>
    public static MrcHeader ReadHeader(Stream stream, string path)
    {
        var bytes = new byte[MrcHeader.Size];
        int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        var header = MrcHeader.Parse(bytes.AsSpan(0, read), path, stream.Length);
        stream.ReadExactly(header.ExtendedHeader);
        return header;
    }

    /// <summary>Reads <paramref name="output"/>.Length values (sections in order) from the current position.</summary>
    public static void ReadSamples(Stream stream, MrcHeader header, Span<float> output, string path)
    {
        int width = MrcHeader.BytesPerSample(header.Mode) / (header.Mode == MrcMode.Complex64 ? 2 : 1);
        var buffer = new byte[1 << 20];
        int done = 0;
        while (done < output.Length)
        {
            int count = Math.Min(buffer.Length / width, output.Length - done);
            stream.ReadExactly(buffer, 0, count * width);
            Decode(buffer.AsSpan(0, count * width), header, output.Slice(done, count));
            done += count;
        }
    }

    static void Decode(ReadOnlySpan<byte> bytes, MrcHeader header, Span<float> output)
    {
        bool big = header.BigEndian;
        for (int i = 0; i < output.Length; i++)
            output[i] = header.Mode switch
            {
                MrcMode.Int8 => (sbyte)bytes[i],
                MrcMode.Int16 => big ? BinaryPrimitives.ReadInt16BigEndian(bytes[(2 * i)..]) : BinaryPrimitives.ReadInt16LittleEndian(bytes[(2 * i)..]),
                MrcMode.UInt16 => big ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..]) : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]),
                MrcMode.Float16 => (float)(big ? BinaryPrimitives.ReadHalfBigEndian(bytes[(2 * i)..]) : BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..])),
                _ => big ? BinaryPrimitives.ReadSingleBigEndian(bytes[(4 * i)..]) : BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]),
            };
    }

    internal static void Encode(ReadOnlySpan<float> values, MrcHeader header, Span<byte> bytes)
    {
        bool big = header.BigEndian;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            switch (header.Mode)
            {
                case MrcMode.Int8: bytes[i] = (byte)(sbyte)Math.Clamp(MathF.Round(v), sbyte.MinValue, sbyte.MaxValue); break;
                case MrcMode.Int16:
                    short s = (short)Math.Clamp(MathF.Round(v), short.MinValue, short.MaxValue);
                    if (big) BinaryPrimitives.WriteInt16BigEndian(bytes[(2 * i)..], s); else BinaryPrimitives.WriteInt16LittleEndian(bytes[(2 * i)..], s);
                    break;
                case MrcMode.UInt16:
                    ushort u = (ushort)Math.Clamp(MathF.Round(v), 0, ushort.MaxValue);
                    if (big) BinaryPrimitives.WriteUInt16BigEndian(bytes[(2 * i)..], u); else BinaryPrimitives.WriteUInt16LittleEndian(bytes[(2 * i)..], u);
                    break;
                case MrcMode.Float16:
                    if (big) BinaryPrimitives.WriteHalfBigEndian(bytes[(2 * i)..], (Half)v); else BinaryPrimitives.WriteHalfLittleEndian(bytes[(2 * i)..], (Half)v);
                    break;
                default:
                    if (big) BinaryPrimitives.WriteSingleBigEndian(bytes[(4 * i)..], v); else BinaryPrimitives.WriteSingleLittleEndian(bytes[(4 * i)..], v);
                    break;
            }
        }
    }

    /// <summary>Writes <paramref name="map"/> atomically with its statistics recomputed from the data.</summary>
    public static void Write(string path, MrcMap map)
    {
        var expected = map.Header.Voxels * map.Components;
        if (map.Data.Length != expected)
            throw new DeepscopeException($"{path}: {map.Data.Length} values for a {map.Header.Nx}x{map.Header.Ny}x{map.Header.Nz} map of mode {(int)map.Header.Mode}");
        var statistics = new MrcStatistics();
        statistics.Add(map.Data, map.Components);
        var header = statistics.Fill(map.Header);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header.ToBytes());
            stream.Write(header.ExtendedHeader);
            WriteSamples(stream, header, map.Data);
        });
    }

    internal static void WriteSamples(Stream stream, MrcHeader header, ReadOnlySpan<float> values)
    {
        int width = MrcHeader.BytesPerSample(header.Mode) / (header.Mode == MrcMode.Complex64 ? 2 : 1);
        var buffer = new byte[Math.Min(values.Length, 1 << 18) * width];
        for (int done = 0; done < values.Length;)
        {
            int count = Math.Min(buffer.Length / width, values.Length - done);
            Encode(values.Slice(done, count), header, buffer);
            stream.Write(buffer, 0, count * width);
            done += count;
        }
    }

    /// <summary>A fresh header for data of the given shape: a stack (ISPG 0, MZ 1) or a volume (ISPG 1), cell from the voxel size.</summary>
    public static MrcHeader NewHeader(int nx, int ny, int nz, bool stack, float voxelSize = 1, MrcMode mode = MrcMode.Float32)
    {
        int mz = stack ? 1 : nz;
        return new MrcHeader
        {
            Nx = nx, Ny = ny, Nz = nz, Mode = mode, Mx = nx, My = ny, Mz = mz,
            CellA = (nx * voxelSize, ny * voxelSize, mz * voxelSize),
            Ispg = stack ? MrcHeader.StackSpaceGroup : MrcHeader.VolumeSpaceGroup,
        };
    }
}

/// <summary>Running minimum, maximum, mean and standard deviation of samples (magnitudes for complex data).</summary>
sealed class MrcStatistics
{
    double _min = double.PositiveInfinity, _max = double.NegativeInfinity, _sum, _squares;
    long _count;

    public void Add(ReadOnlySpan<float> values, int components)
    {
        for (int i = 0; i < values.Length; i += components)
        {
            double v = components == 2 ? Math.Sqrt((double)values[i] * values[i] + (double)values[i + 1] * values[i + 1]) : values[i];
            _min = Math.Min(_min, v);
            _max = Math.Max(_max, v);
            _sum += v;
            _squares += v * v;
            _count++;
        }
    }

    public MrcHeader Fill(MrcHeader header)
    {
        if (_count == 0) return header;
        double mean = _sum / _count;
        return header with
        {
            DMin = (float)_min, DMax = (float)_max, DMean = (float)mean,
            Rms = (float)Math.Sqrt(Math.Max(0, _squares / _count - mean * mean)), NVersion = 20140,
        };
    }
}
