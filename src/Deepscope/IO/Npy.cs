using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace Deepscope.IO;

/// <summary>
/// NumPy <c>.npy</c> (format 1.0/2.0/3.0) and <c>.npz</c> reading and writing, straight to and from tensors.
/// Reads go into the tensor's own memory in chunks, so a file costs one copy of its data in memory.
/// </summary>
public static partial class Npy
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    const int ChunkBytes = 64 << 20;

    static readonly Dictionary<string, ScalarType> DescrToType = new()
    {
        ["f4"] = ScalarType.Float32, ["f8"] = ScalarType.Float64, ["f2"] = ScalarType.Float16,
        ["i8"] = ScalarType.Int64, ["i4"] = ScalarType.Int32, ["i2"] = ScalarType.Int16, ["i1"] = ScalarType.Int8,
        ["u1"] = ScalarType.Byte, ["b1"] = ScalarType.Bool,
    };

    public static Tensor Read(string path)
    {
        using var stream = OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads one array from a stream; <paramref name="name"/> names the source in errors.</summary>
    public static Tensor Read(Stream stream, string name)
    {
        var header = ReadHeader(stream, name);
        var tensor = empty(header.FortranOrder ? header.Shape.Reverse().ToArray() : header.Shape, header.Type);
        try
        {
            ReadInto(stream, tensor, name);
            if (header.Swap) SwapBytesInPlace(tensor);
            if (!header.FortranOrder) return tensor;
            using (tensor)
                return tensor.permute(Enumerable.Range(0, header.Shape.Length).Reverse().Select(i => (long)i).ToArray()).contiguous();
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>Reads only the header: dtype and shape, without the data.</summary>
    public static (ScalarType Type, long[] Shape) ReadShape(string path)
    {
        using var stream = OpenRead(path);
        var h = ReadHeader(stream, path);
        return (h.Type, h.Shape);
    }

    /// <summary>Writes a tensor as <c>.npy</c> (C order, little-endian), atomically.</summary>
    public static void Write(string path, Tensor tensor) => AtomicFile.Write(path, s => Write(s, tensor));

    public static void Write(Stream stream, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        WriteHeader(stream, cpu.dtype, cpu.shape);
        WriteData(stream, cpu);
    }

    /// <summary>All arrays of an <c>.npz</c> archive, by name without the <c>.npy</c> suffix.</summary>
    public static Dictionary<string, Tensor> ReadNpz(string path)
    {
        using var zip = OpenZip(path);
        var result = new Dictionary<string, Tensor>();
        foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal)))
        {
            using var s = entry.Open();
            result[entry.FullName[..^4]] = Read(s, $"{path}:{entry.FullName}");
        }
        return result;
    }

    public static void WriteNpz(string path, IReadOnlyDictionary<string, Tensor> arrays) => AtomicFile.Write(path, s =>
    {
        using var zip = new ZipArchive(s, ZipArchiveMode.Create);
        foreach (var (name, tensor) in arrays)
        {
            using var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression).Open();
            Write(entry, tensor);
        }
    });

    internal static string Descr(ScalarType type) => type switch
    {
        ScalarType.Float32 => "<f4", ScalarType.Float64 => "<f8", ScalarType.Float16 => "<f2",
        ScalarType.Int64 => "<i8", ScalarType.Int32 => "<i4", ScalarType.Int16 => "<i2", ScalarType.Int8 => "|i1",
        ScalarType.Byte => "|u1", ScalarType.Bool => "|b1",
        _ => throw new DeepscopeException($"cannot write dtype {type} to .npy"),
    };

    /// <summary>Writes a header whose length is padded to <paramref name="minLength"/> so it can be rewritten in place.</summary>
    internal static void WriteHeader(Stream stream, ScalarType type, long[] shape, int minLength = 0)
    {
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var dict = $"{{'descr': '{Descr(type)}', 'fortran_order': False, 'shape': ({dims}), }}";
        // Total header (magic + version + length + dict + padding + newline) is a multiple of 64.
        int unpadded = 10 + dict.Length + 1;
        int total = Math.Max((unpadded + 63) / 64 * 64, (minLength + 63) / 64 * 64);
        bool v2 = total - 10 > ushort.MaxValue;
        if (v2) total = (12 + dict.Length + 1 + 63) / 64 * 64;
        var text = dict.PadRight(total - (v2 ? 12 : 10) - 1) + "\n";
        stream.Write(Magic);
        stream.Write(v2 ? [2, 0] : [1, 0]);
        if (v2) stream.Write(BitConverter.GetBytes((uint)text.Length));
        else stream.Write(BitConverter.GetBytes((ushort)text.Length));
        stream.Write(Encoding.ASCII.GetBytes(text));
    }

    internal static void WriteData(Stream stream, Tensor contiguousCpu)
    {
        foreach (var chunk in Chunks(contiguousCpu))
            using (chunk) stream.Write(chunk.bytes);
    }

    static void ReadInto(Stream stream, Tensor tensor, string name)
    {
        foreach (var chunk in Chunks(tensor))
            using (chunk)
            {
                var span = chunk.bytes;
                int read = stream.ReadAtLeast(span, span.Length, throwOnEndOfStream: false);
                if (read < span.Length)
                    throw new InvalidDataFileException(name,
                        $"truncated .npy: expected {tensor.NumberOfElements * tensor.ElementSize} data bytes for shape ({string.Join(", ", tensor.shape)}), file ends early");
            }
    }

    // Views of at most ChunkBytes each along the first dimension (Span<byte> is limited to 2 GiB).
    static IEnumerable<Tensor> Chunks(Tensor t)
    {
        if (t.NumberOfElements == 0) yield break;
        var flat = t.view(-1);
        long step = Math.Max(1, ChunkBytes / t.ElementSize);
        for (long start = 0; start < flat.shape[0]; start += step)
            yield return flat.narrow(0, start, Math.Min(step, flat.shape[0] - start));
    }

    static void SwapBytesInPlace(Tensor t)
    {
        int size = (int)t.ElementSize;
        foreach (var chunk in Chunks(t))
            using (chunk)
            {
                var span = chunk.bytes;
                for (int i = 0; i < span.Length; i += size) span.Slice(i, size).Reverse();
            }
    }

    sealed record Header(ScalarType Type, long[] Shape, bool FortranOrder, bool Swap);

    [GeneratedRegex(@"'descr'\s*:\s*'([<>|=])([a-z]\d+)'")] private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex FortranPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapePattern();

    static Header ReadHeader(Stream stream, string name)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8 || !prefix[..6].SequenceEqual(Magic))
            throw new InvalidDataFileException(name, "not a .npy file (wrong magic number)");
        int major = prefix[6];
        int lengthBytes = major == 1 ? 2 : 4;
        Span<byte> len = stackalloc byte[4];
        if (major is < 1 or > 3 || stream.ReadAtLeast(len[..lengthBytes], lengthBytes, false) < lengthBytes)
            throw new InvalidDataFileException(name, $"unsupported .npy format version {major}.{prefix[7]}");
        int headerLength = major == 1 ? BitConverter.ToUInt16(len) : checked((int)BitConverter.ToUInt32(len));
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerLength, false) < headerLength)
            throw new InvalidDataFileException(name, "truncated .npy header");
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        var descr = DescrPattern().Match(text);
        var fortran = FortranPattern().Match(text);
        var shape = ShapePattern().Match(text);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new InvalidDataFileException(name, $"malformed .npy header: {text.Trim()}");
        if (!DescrToType.TryGetValue(descr.Groups[2].Value, out var type))
            throw new InvalidDataFileException(name, $"unsupported .npy dtype '{descr.Groups[1].Value}{descr.Groups[2].Value}' (supported: float16/32/64, int8/16/32/64, uint8, bool)");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        bool swap = descr.Groups[1].Value == ">" && descr.Groups[2].Value[1] != '1';
        return new Header(type, dims, fortran.Groups[1].Value == "True", swap);
    }

    static FileStream OpenRead(string path)
    {
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        { throw new InvalidDataFileException(path, "file not found", e); }
    }

    static ZipArchive OpenZip(string path)
    {
        try { return ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw new InvalidDataFileException(path, "not an .npz (zip) archive", e); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        { throw new InvalidDataFileException(path, "file not found", e); }
    }
}
