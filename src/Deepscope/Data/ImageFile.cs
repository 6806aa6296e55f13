using BitMiracle.LibTiff.Classic;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.PixelFormats;

namespace Deepscope.Data;

/// <summary>A decoded image: planar float32 samples in [0, 1], channels first (C, H, W).</summary>
public sealed record DecodedImage(float[] Pixels, int Channels, int Height, int Width, int BitsPerSample);

/// <summary>
/// Reads PNG, JPEG, BMP and TIFF at their real bit depth (8 or 16 bits per sample), scaled to [0, 1] by the
/// depth's maximum; grayscale stays one channel, colour is RGB (alpha dropped). Writes 16-bit TIFF.
/// </summary>
public static class ImageFile
{
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"];

    // LibTiff prints warnings to stderr by default; our errors carry the file name instead.
    static ImageFile() => Tiff.SetErrorHandler(new SilentTiffErrors());

    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    public static DecodedImage Read(string path) => Guarded(path, () => IsTiff(path) ? ReadTiff(path, null)! : ReadWithImageSharp(path));

    /// <summary>
    /// Rows [<paramref name="top"/>, top + <paramref name="rows"/>) at full width, decoding only the TIFF strips that
    /// hold them; null when the file is not a strip TIFF of 8 or 16 bits (then decode it whole with <see cref="Read"/>).
    /// </summary>
    public static DecodedImage? ReadTiffRows(string path, int top, int rows) =>
        IsTiff(path) ? Guarded(path, () => ReadTiff(path, (top, rows))) : null;

    /// <summary>Height and width from the file's header, without decoding its pixels.</summary>
    public static (int Height, int Width) ReadSize(string path) => Guarded(path, () =>
    {
        if (IsTiff(path))
        {
            using var tiff = Tiff.Open(path, "r") ?? throw new InvalidDataFileException(path, "not a TIFF file");
            return (tiff.GetField(TiffTag.IMAGELENGTH)[0].ToInt(), tiff.GetField(TiffTag.IMAGEWIDTH)[0].ToInt());
        }
        var info = Image.Identify(path) ?? throw new InvalidDataFileException(path, "cannot decode image (unknown format)");
        return (info.Height, info.Width);
    });

    static bool IsTiff(string path) => Path.GetExtension(path).ToLowerInvariant() is ".tif" or ".tiff";

    static T Guarded<T>(string path, Func<T> read)
    {
        if (!File.Exists(path)) throw new InvalidDataFileException(path, "file not found");
        try
        {
            return read();
        }
        catch (DeepscopeException) { throw; }
        catch (Exception e) when (e is ImageFormatException or UnknownImageFormatException or InvalidImageContentException
                                      or NotSupportedException or IOException or IndexOutOfRangeException or ArgumentException)
        {
            // ImageSharp's unknown-format message lists every decoder on its own line.
            string reason = e is UnknownImageFormatException ? "not a known image format" : e.Message.Split('\n')[0].TrimEnd('.', '\r');
            throw new InvalidDataFileException(path, $"cannot decode image ({reason})", e);
        }
    }

    static DecodedImage ReadWithImageSharp(string path)
    {
        // Rgba64 holds 8-bit sources exactly (v * 257), so dividing by 65535 gives v / 255, and keeps 16-bit PNGs.
        using var image = Image.Load<Rgba64>(path);
        int h = image.Height, w = image.Width, plane = h * w;
        var rgb = new float[3 * plane];
        bool gray = true;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < h; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < w; x++)
                {
                    var p = row[x];
                    int i = y * w + x;
                    rgb[i] = p.R / 65535f;
                    rgb[plane + i] = p.G / 65535f;
                    rgb[2 * plane + i] = p.B / 65535f;
                    gray &= p.R == p.G && p.G == p.B;
                }
            }
        });
        // The file's depth, from its metadata: image.PixelType is the Rgba64 it was decoded into.
        int bits = image.Metadata.GetPngMetadata().BitDepth == PngBitDepth.Bit16
                   || (int?)image.Frames.RootFrame.Metadata.GetTiffMetadata().BitsPerPixel is 16 or 48 or 64 ? 16 : 8;
        return gray ? new DecodedImage(rgb[..plane], 1, h, w, bits) : new DecodedImage(rgb, 3, h, w, bits);
    }

    /// <summary>The whole image (<paramref name="band"/> null) or a band of rows; a band of a TIFF the scanline
    /// reader cannot take gives null, the whole image goes through ImageSharp.</summary>
    static DecodedImage? ReadTiff(string path, (int Top, int Rows)? band)
    {
        using var tiff = Tiff.Open(path, "r") ?? throw new InvalidDataFileException(path, "not a TIFF file");
        int w = tiff.GetField(TiffTag.IMAGEWIDTH)[0].ToInt();
        int h = tiff.GetField(TiffTag.IMAGELENGTH)[0].ToInt();
        int bits = tiff.GetField(TiffTag.BITSPERSAMPLE)?[0].ToInt() ?? 1;
        int spp = tiff.GetField(TiffTag.SAMPLESPERPIXEL)?[0].ToInt() ?? 1;
        var planar = (PlanarConfig)(tiff.GetField(TiffTag.PLANARCONFIG)?[0].ToInt() ?? (int)PlanarConfig.CONTIG);
        if (bits is not (8 or 16) || planar != PlanarConfig.CONTIG || tiff.IsTiled())
            return band is null ? ReadWithImageSharp(path) : null;
        var (top, rows) = band ?? (0, h);
        if (top < 0 || rows < 1 || top + rows > h)
            throw new InvalidDataFileException(path, $"rows {top}..{top + rows - 1} are outside the image's {h} rows");
        int channels = spp >= 3 ? 3 : 1, plane = rows * w, bytesPerSample = bits / 8;
        float max = (1 << bits) - 1;
        var pixels = new float[channels * plane];
        var line = new byte[tiff.ScanlineSize()];
        // Compressed strips are decoded from their start (LZW cannot seek), so begin at the first row of top's strip.
        // The tag is unsigned; its default 2^32 - 1 (one strip) reads back as -1.
        int rowsPerStrip = tiff.GetField(TiffTag.ROWSPERSTRIP)?[0].ToInt() is > 0 and var r && r < h ? r : h;
        for (int y = top / rowsPerStrip * rowsPerStrip - top; y < rows; y++)
        {
            if (!tiff.ReadScanline(line, top + y))
                throw new InvalidDataFileException(path, $"cannot read TIFF row {top + y} (truncated or corrupt)");
            if (y < 0) continue;
            for (int x = 0; x < w; x++)
                for (int c = 0; c < channels; c++)
                {
                    int at = (x * spp + c) * bytesPerSample;
                    int v = bits == 8 ? line[at] : BitConverter.ToUInt16(line, at);
                    pixels[c * plane + y * w + x] = v / max;
                }
        }
        return new DecodedImage(pixels, channels, rows, w, bits);
    }

    /// <summary>Writes a 16-bit TIFF (grayscale or RGB) from samples laid out channels first (C, H, W).</summary>
    public static void WriteTiff16(string path, ushort[] samples, int channels, int height, int width)
    {
        if (channels is not (1 or 3) || samples.Length != channels * height * width)
            throw new ArgumentException($"expected {channels}x{height}x{width} samples with 1 or 3 channels, got {samples.Length}");
        IO.AtomicFile.Write(path, stream =>
        {
            using var tiff = Tiff.ClientOpen(path, "w", stream, new TiffStream()) ?? throw new IOException($"{path}: cannot create TIFF");
            tiff.SetField(TiffTag.IMAGEWIDTH, width);
            tiff.SetField(TiffTag.IMAGELENGTH, height);
            tiff.SetField(TiffTag.SAMPLESPERPIXEL, channels);
            tiff.SetField(TiffTag.BITSPERSAMPLE, 16);
            tiff.SetField(TiffTag.SAMPLEFORMAT, SampleFormat.UINT);
            tiff.SetField(TiffTag.ORIENTATION, Orientation.TOPLEFT);
            tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            tiff.SetField(TiffTag.PHOTOMETRIC, channels == 1 ? Photometric.MINISBLACK : Photometric.RGB);
            tiff.SetField(TiffTag.COMPRESSION, Compression.LZW);
            tiff.SetField(TiffTag.ROWSPERSTRIP, Math.Max(1, 65536 / (width * channels * 2)));
            var line = new byte[width * channels * 2];
            int plane = height * width;
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                    for (int c = 0; c < channels; c++)
                        BitConverter.TryWriteBytes(line.AsSpan((x * channels + c) * 2), samples[c * plane + y * width + x]);
                tiff.WriteScanline(line, y);
            }
            tiff.Flush();
        });
    }

    internal sealed class SilentTiffErrors : TiffErrorHandler
    {
        public override void WarningHandler(Tiff tif, string method, string format, params object[] args) { }
        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }
    }
}
