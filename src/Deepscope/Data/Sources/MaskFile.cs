using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Deepscope.Data.Sources;

/// <summary>A per-pixel class mask: one class index per pixel, row-major.</summary>
public sealed record Mask(long[] Classes, int Height, int Width);

/// <summary>
/// Reads segmentation masks: single-channel 8/16-bit PNG or TIFF whose sample values are the class indices, or a
/// palette PNG whose palette indices are (as PASCAL VOC stores them). Colour images are refused: their colours would
/// need a colour-to-class table.
/// </summary>
public static class MaskFile
{
    public static Mask Read(string path)
    {
        if (PaletteOf(path) is { } palette) return ReadPalette(path, palette);
        var image = ImageFile.Read(path);
        if (image.Channels != 1)
            throw new InvalidDataFileException(path, $"a mask must have one channel of class indices (or a palette), this image has {image.Channels}");
        float max = (1 << image.BitsPerSample) - 1;
        return new Mask([.. image.Pixels.Select(p => (long)MathF.Round(p * max))], image.Height, image.Width);
    }

    static Mask ReadPalette(string path, Rgb24[] palette)
    {
        var index = new Dictionary<Rgb24, long>();
        for (int i = palette.Length - 1; i >= 0; i--) index[palette[i]] = i; // a colour listed twice maps to its first index
        using var image = Image.Load<Rgb24>(path);
        var classes = new long[image.Height * image.Width];
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                    classes[y * row.Length + x] = index.TryGetValue(row[x], out var c) ? c
                        : throw new InvalidDataFileException(path, $"pixel ({y}, {x}) has a colour its palette does not list");
            }
        });
        return new Mask(classes, image.Height, image.Width);
    }

    /// <summary>The PLTE chunk of a PNG of colour type 3 (indexed), or null for any other file.</summary>
    static Rgb24[]? PaletteOf(string path)
    {
        if (!Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase) || !File.Exists(path)) return null;
        using var stream = File.OpenRead(path);
        Span<byte> header = stackalloc byte[8];
        // Signature (8), then chunks of length (4, big-endian), type (4), data, CRC (4); IHDR's colour type is data byte 9.
        if (stream.Read(header) < 8 || !header.SequenceEqual(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 })) return null;
        bool indexed = false;
        while (stream.Read(header) == 8)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(header);
            var type = System.Text.Encoding.ASCII.GetString(header[4..]);
            if (length < 0 || type == "IDAT" || type == "IEND") return null;
            var data = new byte[length];
            if (stream.Read(data) < length) return null;
            stream.Seek(4, SeekOrigin.Current);
            if (type == "IHDR") indexed = length >= 10 && data[9] == 3;
            else if (type == "PLTE" && indexed)
                return [.. Enumerable.Range(0, length / 3).Select(i => new Rgb24(data[3 * i], data[3 * i + 1], data[3 * i + 2]))];
        }
        return null;
    }
}
