using System.Buffers.Binary;
using System.IO.Compression;
using static TorchSharp.torch;

namespace Deepscope.Data;

/// <summary>The IDX format of MNIST-like datasets (LeCun et al.), plain or gzip-compressed, unsigned bytes only.</summary>
public static class Idx
{
    /// <summary>Reads an IDX file of unsigned bytes into a uint8 tensor of its stored shape.</summary>
    public static Tensor Read(string path, int expectedRank)
    {
        using var stream = OpenMaybeGzip(path);
        Span<byte> head = stackalloc byte[4];
        ReadExactly(stream, head, path, "header");
        if (head[0] != 0 || head[1] != 0 || head[2] != 0x08)
            throw new InvalidDataFileException(path, $"wrong magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(head):X8} (expected an IDX file of unsigned bytes, 0x0000080{expectedRank})");
        if (head[3] != expectedRank)
            throw new InvalidDataFileException(path, $"IDX file has {head[3]} dimensions, expected {expectedRank}");
        Span<byte> dimBytes = stackalloc byte[4 * expectedRank];
        ReadExactly(stream, dimBytes, path, "dimensions");
        var shape = new long[expectedRank];
        for (int i = 0; i < expectedRank; i++) shape[i] = BinaryPrimitives.ReadUInt32BigEndian(dimBytes[(4 * i)..]);

        var tensor = empty(shape, ScalarType.Byte);
        try
        {
            var data = tensor.bytes;
            int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            if (read < data.Length)
                throw new InvalidDataFileException(path, $"truncated: header promises {data.Length} data bytes ({string.Join("x", shape)}), file holds {read}");
            if (stream.ReadByte() >= 0)
                throw new InvalidDataFileException(path, $"longer than its header says ({string.Join("x", shape)}): not a valid IDX file");
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    static Stream OpenMaybeGzip(string path)
    {
        var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        int n = file.Read(magic);
        file.Position = 0;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new BufferedStream(new CorruptGzipGuard(new GZipStream(file, CompressionMode.Decompress), path), 1 << 20) : file;
    }

    static void ReadExactly(Stream s, Span<byte> buffer, string path, string what)
    {
        if (s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
            throw new InvalidDataFileException(path, $"truncated: file ends inside the {what}");
    }
}

/// <summary>Turns a gzip stream's decoding errors (corrupt or cut data) into an error naming the file.</summary>
sealed class CorruptGzipGuard(Stream inner, string path) : Stream
{
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override int Read(Span<byte> buffer)
    {
        try { return inner.Read(buffer); }
        catch (InvalidDataException e) { throw new InvalidDataFileException(path, $"corrupt or truncated gzip data ({e.Message.TrimEnd('.')})", e); }
        catch (EndOfStreamException e) { throw new InvalidDataFileException(path, "truncated gzip data", e); }
    }
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
