namespace Deepscope.Data.Sources;

/// <summary>
/// Windows of class-index masks (<see cref="MaskFile"/>'s formats) read by bands of rows like <see cref="ImageBands"/>:
/// a strip TIFF only decodes the strips it needs, other files are decoded whole and cached. Thread-safe.
/// </summary>
public sealed class MaskBands(IReadOnlyList<string> paths, int cachedImages = 1)
{
    readonly ImageBands _bands = new(paths, cachedImages, DecodeWhole);

    /// <summary>Class indices of rows [top, top + height) and columns [left, left + width) of mask <paramref name="image"/>, row-major.</summary>
    public long[] Window(int image, int top, int left, int height, int width)
    {
        var (band, firstRow) = _bands.Rows(image, top, height);
        if (band.Channels != 1) throw new InvalidDataFileException(paths[image], $"a mask must have one channel of class indices, this image has {band.Channels}");
        float max = (1 << band.BitsPerSample) - 1;
        var classes = new long[height * width];
        for (int y = 0; y < height; y++)
        {
            var row = band.Pixels.AsSpan((top - firstRow + y) * band.Width + left, width);
            for (int x = 0; x < width; x++) classes[y * width + x] = (long)MathF.Round(row[x] * max);
        }
        return classes;
    }

    /// <summary>A mask that cannot be read by bands (a palette PNG, say), as samples whose 16-bit values are the classes.</summary>
    static DecodedImage DecodeWhole(string path)
    {
        var mask = MaskFile.Read(path);
        return new DecodedImage([.. mask.Classes.Select(c => c / 65535f)], 1, mask.Height, mask.Width, 16);
    }
}
