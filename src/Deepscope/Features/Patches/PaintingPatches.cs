using Deepscope.Data.Rasters;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace Deepscope.Features.Patches;

/// <summary>How a painting is read: the scale to the common resolution, grey or colour, an optional JPEG re-encoding.</summary>
/// <param name="Scale">Resampling factor (common pixels per mm over the file's; 1: as it is).</param>
/// <param name="Colour">Keep RGB (grey images replicated) instead of converting to grey (ITU-R 601 luma).</param>
/// <param name="JpegQuality">Re-encode the image as an 8-bit JPEG of this quality before anything else (the confound check).</param>
public sealed record PaintingReading(double Scale = 1, bool Colour = false, int? JpegQuality = null, int ThumbnailSide = 384);

/// <summary>A painting read once: what the file is, its size at the common resolution, its patches and a thumbnail.</summary>
public sealed record PaintingSample(RasterInfo File, int Height, int Width, PatchSet Patches, float[] Thumbnail, int ThumbnailHeight, int ThumbnailWidth);

/// <summary>
/// Reads a painting of any size top to bottom in bands at its real bit depth and, in one pass, re-encodes it (when
/// asked), converts it to grey or colour, resamples it to the common resolution and cuts its patches and a thumbnail:
/// memory holds one band, the patches and the thumbnail, never the whole image.
/// </summary>
public static class PaintingPatches
{
    /// <summary>Rows per band: a multiple of 16, so JPEG re-encoding band by band keeps the whole image's block grid.</summary>
    public const int BandRows = 256;

    public static PaintingSample Read(string path, PaintingReading reading, PatchOptions options, ulong seed)
    {
        using var reader = RasterReader.Open(path);
        var info = reader.Info;
        int channels = reading.Colour ? 3 : 1;
        var (height, width) = AreaResampler.Scaled(info.Height, info.Width, reading.Scale);
        PatchCollector collector;
        try
        {
            collector = new PatchCollector(channels, height, width, options, seed);
        }
        catch (DeepscopeException e) { throw new InvalidDataFileException(path, e.Message); }
        double thumbScale = Math.Min(1, (double)reading.ThumbnailSide / Math.Max(height, width));
        var (th, tw) = AreaResampler.Scaled(height, width, thumbScale);
        var thumbnail = new float[channels * th * tw];
        var toThumbnail = new AreaResampler(channels, height, width, th, tw, (y, row) =>
        {
            for (int c = 0; c < channels; c++) Array.Copy(row, c * tw, thumbnail, (c * th + y) * tw, tw);
        });
        var rowBuffer = new float[channels * width];
        var resampler = new AreaResampler(channels, info.Height, info.Width, height, width, (y, row) =>
        {
            collector.Row(y, row);
            Array.Copy(row, rowBuffer, row.Length);
            toThumbnail.Push(rowBuffer, 1);
        });
        var band = new float[info.Channels * BandRows * info.Width];
        var converted = new float[channels * BandRows * info.Width];
        for (int top = 0; top < info.Height; top += BandRows)
        {
            int rows = Math.Min(BandRows, info.Height - top);
            reader.ReadRows(rows, band);
            if (reading.JpegQuality is { } quality) ReencodeJpeg(band, info.Channels, rows, info.Width, quality);
            Convert(band, info.Channels, converted, channels, rows * info.Width);
            resampler.Push(converted, rows);
        }
        return new PaintingSample(info, height, width, collector.Result(), thumbnail, th, tw);
    }

    /// <summary>Planar samples of one channel count to another: RGB to luma, grey replicated to RGB.</summary>
    static void Convert(float[] source, int from, float[] target, int to, int plane)
    {
        if (from == to) Array.Copy(source, target, from * plane);
        else if (to == 1)
            for (int i = 0; i < plane; i++) target[i] = 0.299f * source[i] + 0.587f * source[plane + i] + 0.114f * source[2 * plane + i];
        else
            for (int c = 0; c < 3; c++) Array.Copy(source, 0, target, c * plane, plane);
    }

    /// <summary>Replaces a band by its 8-bit JPEG encoding at <paramref name="quality"/> (grey as luminance-only JPEG).</summary>
    public static void ReencodeJpeg(float[] planar, int channels, int rows, int width, int quality)
    {
        int plane = rows * width;
        static byte B(float v) => (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255);
        using var image = new Image<Rgb24>(width, rows);
        image.ProcessPixelRows(access =>
        {
            for (int y = 0; y < rows; y++)
            {
                var row = access.GetRowSpan(y);
                for (int x = 0; x < width; x++)
                {
                    int i = y * width + x;
                    row[x] = channels == 1 ? new Rgb24(B(planar[i]), B(planar[i]), B(planar[i]))
                        : new Rgb24(B(planar[i]), B(planar[plane + i]), B(planar[2 * plane + i]));
                }
            }
        });
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream, new JpegEncoder { Quality = quality, ColorType = channels == 1 ? JpegColorType.Luminance : JpegColorType.YCbCrRatio420 });
        stream.Position = 0;
        using var decoded = Image.Load<Rgb24>(stream);
        decoded.ProcessPixelRows(access =>
        {
            for (int y = 0; y < rows; y++)
            {
                var row = access.GetRowSpan(y);
                for (int x = 0; x < width; x++)
                {
                    int i = y * width + x;
                    planar[i] = row[x].R / 255f;
                    if (channels == 1) continue;
                    planar[plane + i] = row[x].G / 255f;
                    planar[2 * plane + i] = row[x].B / 255f;
                }
            }
        });
    }
}
