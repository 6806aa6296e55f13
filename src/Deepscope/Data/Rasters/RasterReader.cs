using BitMiracle.LibTiff.Classic;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Deepscope.Data.Rasters;

/// <summary>What a raster file holds, from its header: size, samples (alpha counted), bits per sample, format and layout.</summary>
public sealed record RasterInfo(int Height, int Width, int Samples, int Bits, string Format)
{
    /// <summary>The colour channels read: 1 for grey (with or without alpha), 3 for colour (alpha dropped).</summary>
    public int Channels => Samples >= 3 ? 3 : 1;

    public string Describe() => $"{Format} {Bits}-bit {(Samples switch { 1 => "grey", 2 => "grey+alpha", 3 => "RGB", _ => "RGBA" })} {Width}x{Height}";
}

/// <summary>
/// Reads an image top to bottom in bands of rows at its real bit depth, as planar float samples in [0, 1] (divided by
/// the depth's maximum), alpha dropped. TIFFs in strips or tiles are decoded a strip or a row of tiles at a time, so
/// memory stays bounded by the band; other formats (JPEG, PNG) are decoded once by ImageSharp at 16 bits per sample.
/// </summary>
public abstract class RasterReader : IDisposable
{
    public RasterInfo Info { get; }
    readonly string _path;
    int _next;

    protected RasterReader(string path, RasterInfo info) => (_path, Info) = (path, info);

    public static RasterReader Open(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataFileException(path, "file not found");
        try
        {
            return Path.GetExtension(path).ToLowerInvariant() is ".tif" or ".tiff" ? TiffRasterReader.OpenTiff(path) : new DecodedRasterReader(path);
        }
        catch (Exception e) when (e is ImageFormatException or UnknownImageFormatException or InvalidImageContentException or NotSupportedException or IOException)
        {
            throw new InvalidDataFileException(path, $"cannot decode image ({e.Message.TrimEnd('.')})", e);
        }
    }

    /// <summary>
    /// The next <paramref name="rows"/> rows (reads are sequential from the top) into <paramref name="planar"/>
    /// laid out (channels, rows, width).
    /// </summary>
    public void ReadRows(int rows, float[] planar)
    {
        if (rows < 1 || _next + rows > Info.Height || planar.Length < Info.Channels * rows * Info.Width)
            throw new ArgumentOutOfRangeException(nameof(rows), $"{_path}: rows {_next}..{_next + rows - 1} of {Info.Height}");
        try
        {
            Read(_next, rows, planar);
        }
        catch (Exception e) when (e is IOException or IndexOutOfRangeException or ArgumentException)
        {
            throw new InvalidDataFileException(_path, $"cannot read rows {_next}..{_next + rows - 1} ({e.Message.TrimEnd('.')})", e);
        }
        _next += rows;
    }

    protected string FilePath => _path;

    protected abstract void Read(int top, int rows, float[] planar);

    public virtual void Dispose() { }
}

/// <summary>TIFF through LibTiff: scanlines of strip images, one row of tiles at a time for tiled ones.</summary>
sealed class TiffRasterReader : RasterReader
{
    readonly Tiff _tiff;
    readonly int _tileWidth, _tileHeight;
    byte[] _tileRow = [];
    int _tileRowTop = -1;

    TiffRasterReader(string path, Tiff tiff, RasterInfo info) : base(path, info)
    {
        _tiff = tiff;
        if (tiff.IsTiled())
        {
            _tileWidth = tiff.GetField(TiffTag.TILEWIDTH)[0].ToInt();
            _tileHeight = tiff.GetField(TiffTag.TILELENGTH)[0].ToInt();
        }
    }

    public static TiffRasterReader OpenTiff(string path)
    {
        _ = ImageFile.Extensions; // its static constructor silences LibTiff's stderr warnings
        var tiff = Tiff.Open(path, "r") ?? throw new InvalidDataFileException(path, "not a TIFF file");
        int bits = tiff.GetField(TiffTag.BITSPERSAMPLE)?[0].ToInt() ?? 1;
        int samples = tiff.GetField(TiffTag.SAMPLESPERPIXEL)?[0].ToInt() ?? 1;
        var planar = (PlanarConfig)(tiff.GetField(TiffTag.PLANARCONFIG)?[0].ToInt() ?? (int)PlanarConfig.CONTIG);
        var format = (SampleFormat)(tiff.GetField(TiffTag.SAMPLEFORMAT)?[0].ToInt() ?? (int)SampleFormat.UINT);
        if (bits is not (8 or 16) || planar != PlanarConfig.CONTIG || format != SampleFormat.UINT)
        {
            tiff.Dispose();
            throw new InvalidDataFileException(path, $"TIFF of {bits}-bit {format} samples ({planar}) is not supported: expected 8 or 16-bit unsigned, interleaved");
        }
        var info = new RasterInfo(tiff.GetField(TiffTag.IMAGELENGTH)[0].ToInt(), tiff.GetField(TiffTag.IMAGEWIDTH)[0].ToInt(), samples, bits,
            tiff.IsTiled() ? "TIFF (tiled)" : "TIFF");
        return new TiffRasterReader(path, tiff, info);
    }

    protected override void Read(int top, int rows, float[] planar)
    {
        int w = Info.Width, spp = Info.Samples, channels = Info.Channels, bytes = Info.Bits / 8, plane = rows * w;
        float scale = 1f / ((1 << Info.Bits) - 1);
        var line = _tiff.IsTiled() ? [] : new byte[_tiff.ScanlineSize()];
        for (int y = 0; y < rows; y++)
        {
            byte[] source;
            int offset;
            if (_tiff.IsTiled())
            {
                int row = top + y, tileTop = row / _tileHeight * _tileHeight;
                if (tileTop != _tileRowTop) LoadTileRow(tileTop);
                (source, offset) = (_tileRow, (row - tileTop) * w * spp * bytes);
            }
            else
            {
                if (!_tiff.ReadScanline(line, top + y)) throw new IOException($"cannot read TIFF row {top + y} (truncated or corrupt)");
                (source, offset) = (line, 0);
            }
            for (int x = 0; x < w; x++)
                for (int c = 0; c < channels; c++)
                {
                    int at = offset + (x * spp + c) * bytes;
                    int v = bytes == 1 ? source[at] : source[at] | source[at + 1] << 8;
                    planar[c * plane + y * w + x] = v * scale;
                }
        }
    }

    /// <summary>Decodes the row of tiles starting at <paramref name="tileTop"/> into one band (tile rows, full width).</summary>
    void LoadTileRow(int tileTop)
    {
        int w = Info.Width, pixelBytes = Info.Samples * Info.Bits / 8;
        if (_tileRow.Length == 0) _tileRow = new byte[_tileHeight * w * pixelBytes];
        var tile = new byte[_tiff.TileSize()];
        int tileRowBytes = _tileWidth * pixelBytes;
        for (int left = 0; left < w; left += _tileWidth)
        {
            if (_tiff.ReadTile(tile, 0, left, tileTop, 0, 0) < 0) throw new IOException($"cannot read the tile at ({left}, {tileTop})");
            int copy = Math.Min(_tileWidth, w - left) * pixelBytes;
            for (int y = 0; y < _tileHeight && tileTop + y < Info.Height; y++)
                Buffer.BlockCopy(tile, y * tileRowBytes, _tileRow, (y * w + left) * pixelBytes, copy);
        }
        _tileRowTop = tileTop;
    }

    public override void Dispose() => _tiff.Dispose();
}

/// <summary>JPEG, PNG, BMP through ImageSharp, decoded whole at 16 bits per sample (8-bit sources exactly, v * 257).</summary>
sealed class DecodedRasterReader : RasterReader
{
    readonly Image<Rgba64> _image;

    public DecodedRasterReader(string path) : this(path, Image.Load<Rgba64>(path)) { }

    DecodedRasterReader(string path, Image<Rgba64> image) : base(path, Describe(path, image)) => _image = image;

    /// <summary>Samples and depth as the file stores them (the decoded image is always Rgba64).</summary>
    static RasterInfo Describe(string path, Image<Rgba64> image)
    {
        var format = Image.DetectFormat(path)?.Name ?? Path.GetExtension(path).TrimStart('.').ToUpperInvariant();
        var png = image.Metadata.GetPngMetadata();
        if (format == "PNG" && png.ColorType is { } type)
        {
            int pngSamples = type switch { PngColorType.Grayscale => 1, PngColorType.GrayscaleWithAlpha => 2, PngColorType.RgbWithAlpha => 4, _ => 3 };
            return new RasterInfo(image.Height, image.Width, pngSamples, png.BitDepth == PngBitDepth.Bit16 ? 16 : 8, format);
        }
        int bitsPerPixel = Image.Identify(path)?.PixelType.BitsPerPixel ?? 24;
        var (samples, bits) = bitsPerPixel switch { 8 => (1, 8), 16 => (1, 16), 32 => (4, 8), 48 => (3, 16), 64 => (4, 16), _ => (3, 8) };
        return new RasterInfo(image.Height, image.Width, samples, bits, format);
    }

    protected override void Read(int top, int rows, float[] planar)
    {
        int w = Info.Width, plane = rows * w;
        bool grey = Info.Channels == 1;
        _image.ProcessPixelRows(access =>
        {
            for (int y = 0; y < rows; y++)
            {
                var row = access.GetRowSpan(top + y);
                for (int x = 0; x < w; x++)
                {
                    var p = row[x];
                    int i = y * w + x;
                    planar[i] = p.R / 65535f;
                    if (grey) continue;
                    planar[plane + i] = p.G / 65535f;
                    planar[2 * plane + i] = p.B / 65535f;
                }
            }
        });
    }

    public override void Dispose() => _image.Dispose();
}
