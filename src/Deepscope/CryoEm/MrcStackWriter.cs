using Deepscope.IO;

namespace Deepscope.CryoEm;

/// <summary>
/// Streams images of one size into an MRC stack (.mrcs, ISPG 0, float32 unless given) through a temporary sibling:
/// memory stays one batch whatever the count; <see cref="Complete"/> writes the final header (NZ, statistics) and
/// renames the file into place, so a killed run leaves no partial output.
/// </summary>
public sealed class MrcStackWriter : IDisposable
{
    readonly string _path, _temp;
    readonly FileStream _stream;
    readonly MrcHeader _header;
    readonly MrcStatistics _statistics = new();
    int _count;
    bool _done;

    public MrcStackWriter(string path, int width, int height, float voxelSize, MrcMode mode = MrcMode.Float32, IReadOnlyList<string>? labels = null)
        : this(path, MrcFile.NewHeader(width, height, 1, stack: true, voxelSize, mode) with { Labels = labels ?? [] })
    {
    }

    /// <summary>Sections shaped and described as <paramref name="template"/>'s (its NZ and statistics are replaced, its extended header kept).</summary>
    public MrcStackWriter(string path, MrcHeader template)
    {
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _temp = AtomicFile.TempPathFor(_path);
        _header = template;
        _stream = new FileStream(_temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        _stream.Write(new byte[MrcHeader.Size]);
        _stream.Write(template.ExtendedHeader);
    }

    /// <summary>Appends images laid out one after the other (a multiple of width x height values).</summary>
    public void Append(ReadOnlySpan<float> images)
    {
        int plane = _header.Nx * _header.Ny;
        if (images.Length % plane != 0) throw new ArgumentException($"{images.Length} values are not whole {_header.Ny}x{_header.Nx} images");
        MrcFile.WriteSamples(_stream, _header, images);
        _statistics.Add(images, 1);
        _count += images.Length / plane;
    }

    public void Complete()
    {
        if (_count == 0) throw new DeepscopeException($"{_path}: no image to write");
        var header = _statistics.Fill(_header with { Nz = _count });
        _stream.Position = 0;
        _stream.Write(header.ToBytes());
        _stream.Dispose();
        File.Move(_temp, _path, overwrite: true);
        _done = true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        if (!_done) File.Delete(_temp);
    }
}
