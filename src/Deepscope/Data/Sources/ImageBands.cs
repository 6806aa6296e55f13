namespace Deepscope.Data.Sources;

/// <summary>
/// Bands of rows of large images, read as cheaply as the format allows: a strip TIFF of 8 or 16 bits is read band by
/// band (only the strips holding the rows are decoded); any other file (PNG, JPEG, tiled or 1-bit TIFF) is decoded
/// whole when first needed and kept in a least-recently-used cache of at most <c>cachedImages</c> images, so memory
/// stays bounded by that many images whatever the collection's size. Thread-safe.
/// </summary>
sealed class ImageBands
{
    readonly IReadOnlyList<string> _paths;
    readonly int _cacheBound;
    readonly Func<string, DecodedImage> _decode;
    readonly List<(int Image, DecodedImage Pixels)> _cache = []; // most recently used last

    /// <param name="decode">Decodes a whole file that cannot be read by bands (default <see cref="ImageFile.Read"/>).</param>
    public ImageBands(IReadOnlyList<string> paths, int cachedImages, Func<string, DecodedImage>? decode = null)
    {
        if (cachedImages < 1) throw new DeepscopeException($"the decoded-image cache must hold at least one image, got {cachedImages}");
        (_paths, _cacheBound, _decode) = (paths, cachedImages, decode ?? ImageFile.Read);
    }

    /// <summary>Decoded whole images held right now (never more than the bound given).</summary>
    public int CachedImages { get { lock (_cache) return _cache.Count; } }

    /// <summary>Rows [top, top + rows) at full width, or the whole image; <c>FirstRow</c> is the image row of the result's row 0.</summary>
    public (DecodedImage Pixels, int FirstRow) Rows(int image, int top, int rows) =>
        ImageFile.ReadTiffRows(_paths[image], top, rows) is { } band ? (band, top) : (Cached(image), 0);

    DecodedImage Cached(int image)
    {
        lock (_cache)
        {
            int at = _cache.FindIndex(e => e.Image == image);
            if (at >= 0)
            {
                var hit = _cache[at];
                _cache.RemoveAt(at);
                _cache.Add(hit);
                return hit.Pixels;
            }
        }
        // Decoded outside the lock so other threads' cached reads are not held up; two threads may decode one image once each.
        var decoded = _decode(_paths[image]);
        lock (_cache)
        {
            if (_cache.All(e => e.Image != image))
            {
                if (_cache.Count == _cacheBound) _cache.RemoveAt(0);
                _cache.Add((image, decoded));
            }
        }
        return decoded;
    }

    /// <summary>A <paramref name="height"/> x <paramref name="width"/> window of every channel at (top, left), planar (C, H, W).</summary>
    public float[] Window(int image, int top, int left, int height, int width, out int channels)
    {
        var (band, firstRow) = Rows(image, top, height);
        channels = band.Channels;
        int plane = height * width;
        var pixels = new float[band.Channels * plane];
        for (int c = 0; c < band.Channels; c++)
            for (int y = 0; y < height; y++)
                band.Pixels.AsSpan((c * band.Height + top - firstRow + y) * band.Width + left, width).CopyTo(pixels.AsSpan(c * plane + y * width));
        return pixels;
    }
}
