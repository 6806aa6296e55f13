using Deepscope.CryoEm;
using Deepscope.Data;
using Deepscope.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace Deepscope.Denoising;

/// <summary>The file kinds the noise and denoise commands read and write.</summary>
public enum StackFormat { Mrc, Npy, Image }

/// <summary>
/// Reads grey images from an MRC map or stack (.mrc/.mrcs/.map), an .npy array (H, W) or (N, H, W), or an image file
/// (PNG/TIFF/..., grey), in batches so a large stack never sits in memory whole; <see cref="CreateWriter"/> writes
/// results in the same format and shape. Values stay in the file's units: 0..255 for 8-bit images, 0..65535 for
/// 16-bit, the stored numbers otherwise (<see cref="IntegerMax"/> says which).
/// </summary>
public sealed class ImageStackReader
{
    readonly string _path;
    readonly MrcHeader? _mrc;
    readonly long[]? _npyShape;
    readonly DecodedImage? _image;

    ImageStackReader(string path, StackFormat format, int count, int height, int width, double integerMax, MrcHeader? mrc = null, long[]? npyShape = null, DecodedImage? image = null)
    {
        (_path, Format, Count, Height, Width, IntegerMax, _mrc, _npyShape, _image) = (path, format, count, height, width, integerMax, mrc, npyShape, image);
    }

    internal static readonly string[] MrcExtensions = [".mrc", ".mrcs", ".map", ".st"];

    public StackFormat Format { get; }
    public int Count { get; }
    public int Height { get; }
    public int Width { get; }
    /// <summary>The largest value of an integer image format (255, 65535), NaN for float data.</summary>
    public double IntegerMax { get; }

    public static ImageStackReader Open(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataFileException(path, "file not found");
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case var extension when MrcExtensions.Contains(extension):
                using (var stream = File.OpenRead(path))
                {
                    var header = MrcFile.ReadHeader(stream, path);
                    if (header.Mode == MrcMode.Complex64) throw new InvalidDataFileException(path, "complex MRC data (mode 4) is not an image");
                    return new ImageStackReader(path, StackFormat.Mrc, header.Nz, header.Ny, header.Nx, double.NaN, mrc: header);
                }
            case ".npy":
                var (type, shape) = Npy.ReadShape(path);
                if (shape.Length is not (2 or 3)) throw new InvalidDataFileException(path, $"expected an array (H, W) or (N, H, W), got ({string.Join(", ", shape)})");
                double max = type == ScalarType.Byte ? 255 : double.NaN;
                return new ImageStackReader(path, StackFormat.Npy, shape.Length == 2 ? 1 : (int)shape[0], (int)shape[^2], (int)shape[^1], max, npyShape: shape);
            default:
                if (!ImageFile.IsImage(path)) throw new InvalidDataFileException(path, "unknown format (expected .mrc/.mrcs, .npy or an image)");
                var image = ImageFile.Read(path);
                if (image.Channels != 1) throw new InvalidDataFileException(path, $"expected a grey image, got {image.Channels} channels");
                return new ImageStackReader(path, StackFormat.Image, 1, image.Height, image.Width, (1 << image.BitsPerSample) - 1, image: image);
        }
    }

    /// <summary>The images in batches of <paramref name="size"/> (the last one shorter), read as they are enumerated.</summary>
    public IEnumerable<IReadOnlyList<Plane>> Batches(int size) =>
        size >= 1 ? ReadBatches(size) : throw new DeepscopeException($"the batch must hold at least 1 image, got {size}");

    IEnumerable<IReadOnlyList<Plane>> ReadBatches(int size)
    {
        int plane = Height * Width;
        switch (Format)
        {
            case StackFormat.Mrc:
                using (var stream = File.OpenRead(_path))
                {
                    var header = MrcFile.ReadHeader(stream, _path);
                    for (int start = 0; start < Count; start += size)
                    {
                        int count = Math.Min(size, Count - start);
                        var values = new float[count * plane];
                        MrcFile.ReadSamples(stream, header, values, _path);
                        yield return Enumerable.Range(0, count).Select(i => new Plane(Height, Width, values.AsSpan(i * plane, plane).ToArray())).ToList();
                    }
                }
                break;
            case StackFormat.Npy:
                foreach (var batch in _npyShape!.Length == 2 ? [Npy.Read(_path)] : Npy.ReadBatches(_path, size))
                {
                    var values = FloatsOf(batch);
                    yield return Enumerable.Range(0, values.Length / plane).Select(i => new Plane(Height, Width, values.AsSpan(i * plane, plane).ToArray())).ToList();
                }
                break;
            default:
                yield return [new Plane(Height, Width, _image!.Pixels.Select(v => (float)Math.Round(v * IntegerMax)).ToArray())];
                break;
        }
    }

    // The values as float32, the tensor and its conversion disposed at once rather than left to the finaliser.
    static float[] FloatsOf(Tensor batch)
    {
        using var scope = NewDisposeScope();
        using (batch) return batch.to_type(ScalarType.Float32).data<float>().ToArray();
    }

    /// <summary>Every image in memory: for the studies and training, whose stacks are small.</summary>
    public List<Plane> ReadAll() => Batches(256).SelectMany(b => b).ToList();

    public ImageStackWriter CreateWriter(string output) => new(output, this, _mrc, _npyShape);
}

/// <summary>
/// Writes planes in the format and shape of the stack they came from: float32 for MRC and .npy; images as PNG rounded to
/// their bit depth or as 16-bit TIFF (lossless both). The output's name must say that format.
/// </summary>
public sealed class ImageStackWriter : IDisposable
{
    readonly string _path;
    readonly ImageStackReader _source;
    readonly MrcStackWriter? _mrc;
    readonly NpyStreamWriter? _npy;
    readonly List<Plane> _held = [];

    internal ImageStackWriter(string path, ImageStackReader source, MrcHeader? mrc, long[]? npyShape)
    {
        (_path, _source) = (path, source);
        // The format follows the input: a name that says another one would mislabel the file.
        var extension = Path.GetExtension(path).ToLowerInvariant();
        var (fits, names) = source.Format switch
        {
            StackFormat.Mrc => (ImageStackReader.MrcExtensions.Contains(extension), ".mrcs, .mrc or .map (the input is MRC)"),
            StackFormat.Npy => (extension == ".npy", ".npy (the input is .npy)"),
            _ => (extension is ".png" or ".tif" or ".tiff", ".png or .tif (lossless)"),
        };
        if (!fits) throw new DeepscopeException($"{path}: the output keeps the input's format; name it {names}");
        if (mrc != null) _mrc = new MrcStackWriter(path, mrc with { Mode = MrcMode.Float32 });
        else if (npyShape is { Length: 3 }) _npy = new NpyStreamWriter(path, ScalarType.Float32, npyShape[1], npyShape[2]);
    }

    public void Append(IReadOnlyList<Plane> planes)
    {
        if (_mrc != null) foreach (var p in planes) _mrc.Append(p.Pixels);
        else if (_npy != null)
        {
            using var batch = tensor(planes.SelectMany(p => p.Pixels).ToArray(), [planes.Count, _source.Height, _source.Width]);
            _npy.Append(batch);
        }
        else _held.AddRange(planes);
    }

    public void Complete()
    {
        if (_mrc != null) _mrc.Complete();
        else if (_npy != null) _npy.Complete();
        else if (_source.Format == StackFormat.Npy)
        {
            using var array = tensor(_held.Single().Pixels, [_source.Height, _source.Width]);
            Npy.Write(_path, array);
        }
        else WriteImage(_held.Single());
    }

    void WriteImage(Plane plane)
    {
        double max = _source.IntegerMax;
        var extension = Path.GetExtension(_path).ToLowerInvariant();
        if (extension is ".tif" or ".tiff")
        {
            ImageFile.WriteTiff16(_path, plane.Pixels.Select(v => (ushort)Math.Clamp(Math.Round(v / max * 65535), 0, 65535)).ToArray(), 1, plane.Height, plane.Width);
            return;
        }
        AtomicFile.Write(_path, stream =>
        {
            if (max > 255)
            {
                using var image = Image.LoadPixelData<L16>(plane.Pixels.Select(v => new L16((ushort)Math.Clamp(Math.Round(v), 0, 65535))).ToArray(), plane.Width, plane.Height);
                image.SaveAsPng(stream);
            }
            else
            {
                using var image = Image.LoadPixelData<L8>(plane.Pixels.Select(v => new L8((byte)Math.Clamp(Math.Round(v), 0, 255))).ToArray(), plane.Width, plane.Height);
                image.SaveAsPng(stream);
            }
        });
    }

    public void Dispose()
    {
        _mrc?.Dispose();
        _npy?.Dispose();
    }
}
