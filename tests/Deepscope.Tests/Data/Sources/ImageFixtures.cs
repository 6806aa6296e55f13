using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Deepscope.Tests.Data.Sources;

/// <summary>Small image files written by the tests themselves, with known pixel values.</summary>
static class ImageFixtures
{
    /// <summary>An 8-bit grayscale PNG whose pixel (y, x) is <paramref name="value"/>(y, x).</summary>
    public static string Gray(string path, int height, int width, Func<int, int, byte> value) =>
        Save(path, height, width, (y, x) => new L8(value(y, x)), new PngEncoder { BitDepth = PngBitDepth.Bit8, ColorType = PngColorType.Grayscale });

    /// <summary>A 16-bit grayscale PNG, for masks with more than 256 classes and for 16-bit images.</summary>
    public static string Gray16(string path, int height, int width, Func<int, int, ushort> value) =>
        Save(path, height, width, (y, x) => new L16(value(y, x)), new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Grayscale });

    static string Save<TPixel>(string path, int height, int width, Func<int, int, TPixel> pixel, PngEncoder encoder)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<TPixel>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = pixel(y, x);
        image.SaveAsPng(path, encoder);
        return path;
    }

    /// <summary>An RGB PNG with one colour everywhere.</summary>
    public static string Rgb(string path, int height, int width, byte r, byte g, byte b)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<Rgb24>(width, height, new Rgb24(r, g, b));
        image.SaveAsPng(path);
        return path;
    }

    /// <summary>The 8-bit value a PNG written by <see cref="Gray"/> reads back as, in [0, 1].</summary>
    public static float Unit(byte value) => value / 255f;
}
