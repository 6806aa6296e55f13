using static TorchSharp.torch;

namespace Deepscope.IO;

/// <summary>
/// Appends rows to an <c>.npy</c> file whose first dimension grows as batches arrive, so large feature matrices
/// stream to disk. Writes to a temporary file; <see cref="Complete"/> fixes the header and renames it into place.
/// Disposing without completing deletes the temporary file and leaves any earlier output untouched.
/// </summary>
public sealed class NpyStreamWriter : IDisposable
{
    // Room in the header for any row count, so it can be rewritten in place at the end.
    const int HeaderReserve = 256;
    readonly string _path, _temp;
    readonly FileStream _stream;
    readonly ScalarType _type;
    readonly long[] _rowShape;
    bool _completed;

    public long Rows { get; private set; }

    public NpyStreamWriter(string path, ScalarType type, params long[] rowShape)
    {
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _temp = AtomicFile.TempPathFor(_path);
        _type = type;
        _rowShape = rowShape;
        _stream = new FileStream(_temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        Npy.WriteHeader(_stream, type, [0, .. rowShape], HeaderReserve);
    }

    /// <summary>Appends a batch of shape (n, rowShape...); converts to the file's dtype if needed.</summary>
    public void Append(Tensor batch)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (!batch.shape.Skip(1).SequenceEqual(_rowShape))
            throw new DeepscopeException($"{_path}: batch of shape ({string.Join(", ", batch.shape)}) does not match rows of shape ({string.Join(", ", _rowShape)})");
        using var scope = NewDisposeScope();
        Npy.WriteData(_stream, batch.detach().to_type(_type).cpu().contiguous());
        Rows += batch.shape[0];
    }

    public void Complete()
    {
        if (_completed) return;
        long end = _stream.Position;
        _stream.Position = 0;
        Npy.WriteHeader(_stream, _type, [Rows, .. _rowShape], HeaderReserve);
        _stream.Position = end;
        _stream.Dispose();
        File.Move(_temp, _path, overwrite: true);
        _completed = true;
    }

    public void Dispose()
    {
        if (_completed) return;
        _stream.Dispose();
        File.Delete(_temp);
        _completed = true;
    }
}
