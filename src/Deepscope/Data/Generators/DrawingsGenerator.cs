using System.Globalization;
using Deepscope.Catalogs;
using Deepscope.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace Deepscope.Data.Generators;

/// <summary>Options of the synthetic drawings (the stand-in for the private Raphael folder).</summary>
public sealed record DrawingsOptions
{
    [Param(Min = 0.2, Max = 4, Description = "scale of the sheets: 1 gives drawings of about 1.5-4 megapixels")]
    public double Scale { get; init; } = 1;

    [Param(Min = 0, Max = 1, Description = "how far the imitators' hatching is from the master's (0: the same hand, only the formats differ)")]
    public double StyleGap { get; init; } = 1;

    [Param(Min = 0, Max = 0.5, Description = "per-drawing variation of every stroke statistic, as a fraction")]
    public double Variation { get; init; } = 0.15;
}

/// <summary>
/// Writes 28 drawings numbered as the real folder (12 by the master, 9 by three imitators, 7 disputed), with
/// <c>labels.csv</c> (id, label, pixels_per_mm) and the disputed ones' hidden truth in <c>truth.csv</c>. The hands
/// differ in stroke statistics only; paper tone, ink darkness and coverage vary per drawing independently of the hand.
/// Formats line up with the label as in the real folder (the confound): every imitation is an 8-bit JPEG, most of the
/// master's drawings are TIFF (16-bit RGB, grey or RGBA), the disputed ones mixed. One detail crop, <c>5b.jpg</c>, is
/// there to be skipped (names ending in a letter are not paintings).
/// </summary>
public sealed class DrawingsGenerator(DrawingsOptions options) : IDatasetGenerator
{
    public const string LabelsFile = "labels.csv";
    public const string TruthFile = "truth.csv";

    static readonly HatchingStyle Master = new("master", 48, 10, 9, 0.03, 0.02, 0.8, 0.15, 0.22);
    static readonly HatchingStyle[] Imitators =
    [
        new("imitator-a", 30, 22, 5, 0.02, 0.07, 1.2, 0.55, 0.30),
        new("imitator-b", 62, 18, 7, 0.12, 0.05, 0.65, 0.30, 0.26),
        new("imitator-c", 40, 30, 4, 0.06, 0.10, 1.0, 0.40, 0.34),
    ];

    /// <summary>Format of each drawing: extension, bits, channels (3 RGB, 1 grey, 4 RGBA).</summary>
    internal sealed record Format(string Extension, int Bits, int Channels);

    internal sealed record Drawing(int Id, string Label, string Truth, HatchingStyle Hand, Format Format);

    internal static IReadOnlyList<Drawing> Plan()
    {
        var tiff16 = new Format(".tif", 16, 3);
        var drawings = new List<Drawing>();
        int[] master = [2, 3, 4, 5, 6, 8, 9, 21, 22, 24, 27, 28];
        Format[] masterFormats = [tiff16, tiff16, new(".tif", 16, 1), tiff16, new(".tif", 16, 4), tiff16, new(".tif", 8, 3),
            tiff16, new(".jpg", 8, 3), tiff16, new(".tif", 16, 1), new(".tiff", 8, 3)];
        for (int i = 0; i < master.Length; i++) drawings.Add(new(master[i], "raphael", "raphael", Master, masterFormats[i]));
        for (int id = 11; id <= 19; id++)
            drawings.Add(new(id, "not-raphael", "not-raphael", Imitators[(id - 11) % 3], new(".jpg", 8, id % 4 == 0 ? 1 : 3)));
        (int Id, HatchingStyle Hand, Format Format)[] disputed =
        [
            (1, Master, tiff16), (7, Imitators[0], new(".jpg", 8, 3)), (10, Master, new(".jpg", 8, 3)), (20, Imitators[1], new(".tif", 8, 3)),
            (23, Master, new(".tif", 16, 1)), (25, Imitators[2], tiff16), (26, Master, new(".jpg", 8, 1)),
        ];
        foreach (var (id, hand, format) in disputed)
            drawings.Add(new(id, "disputed", hand == Master ? "raphael" : "not-raphael", hand, format));
        return drawings.OrderBy(d => d.Id).ToList();
    }

    public string Generate(string folder, long seed, IProgressReporter progress)
    {
        var plan = Plan();
        var labels = new List<string> { "id,label,pixels_per_mm" };
        var truth = new List<string> { "id,truth,hand" };
        using var task = progress.Start("drawings", plan.Count, "drawings");
        foreach (var drawing in plan)
        {
            var random = new Random((int)(Numerics.SplitMix64.Derive((ulong)seed, (ulong)drawing.Id) & int.MaxValue));
            double ppmm = 7 + 4 * random.NextDouble();
            var rgb = Render(drawing, ppmm, random, out int height, out int width);
            Save(Path.Combine(folder, $"{drawing.Id}{drawing.Format.Extension}"), rgb, height, width, drawing.Format, random);
            if (drawing.Id == 5) SaveDetail(Path.Combine(folder, "5b.jpg"), rgb, height, width);
            labels.Add(string.Create(CultureInfo.InvariantCulture, $"{drawing.Id},{drawing.Label},{ppmm:F3}"));
            truth.Add($"{drawing.Id},{drawing.Truth},{drawing.Hand.Hand}");
            task.Advance(1);
        }
        AtomicFile.WriteAllText(Path.Combine(folder, LabelsFile), string.Join('\n', labels) + "\n");
        AtomicFile.WriteAllText(Path.Combine(folder, TruthFile), string.Join('\n', truth) + "\n");
        return $"{plan.Count} drawings (12 raphael, 9 not-raphael, 7 disputed; hidden truth in {TruthFile})";
    }

    /// <summary>The drawing as planar RGB in [0, 1]: textured paper, then the hand's hatching in ink.</summary>
    float[] Render(Drawing drawing, double ppmm, Random random, out int height, out int width)
    {
        double widthMm = options.Scale * (160 + 60 * random.NextDouble()), heightMm = options.Scale * (120 + 50 * random.NextDouble());
        width = (int)(widthMm * ppmm);
        height = (int)(heightMm * ppmm);
        var hand = drawing.Hand == Master ? Master : Blend(Master, drawing.Hand, options.StyleGap);
        var renderer = new HatchingRenderer(height, width, ppmm);
        renderer.Draw(hand.Jittered(random, options.Variation), coverage: 0.5 + 0.5 * random.NextDouble(), pressure: 2 + 2 * random.NextDouble(), random);
        double tone = 0.78 + 0.14 * random.NextDouble();
        float[] paper = [(float)tone, (float)(tone * 0.95), (float)(tone * 0.84)];
        float[] ink = [0.30f + 0.1f * random.NextSingle(), 0.22f, 0.16f];
        var texture = PaperTexture(height, width, ppmm, random);
        int plane = height * width;
        var rgb = new float[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            float cover = 1 - MathF.Exp(-renderer.Ink[i]);
            for (int c = 0; c < 3; c++) rgb[c * plane + i] = (paper[c] + texture[i]) * (1 - cover) + ink[c] * cover;
        }
        return rgb;
    }

    /// <summary>The paper's grain: smooth blotches a few millimetres wide plus fine fibre noise, about +-3%.</summary>
    static float[] PaperTexture(int height, int width, double ppmm, Random random)
    {
        int cell = Math.Max(2, (int)(3 * ppmm)), gh = height / cell + 2, gw = width / cell + 2;
        var grid = new float[gh * gw];
        for (int i = 0; i < grid.Length; i++) grid[i] = 0.025f * (2 * random.NextSingle() - 1);
        var texture = new float[height * width];
        for (int y = 0; y < height; y++)
        {
            float fy = (float)y / cell;
            int gy = (int)fy;
            fy -= gy;
            for (int x = 0; x < width; x++)
            {
                float fx = (float)x / cell;
                int gx = (int)fx;
                fx -= gx;
                float top = grid[gy * gw + gx] * (1 - fx) + grid[gy * gw + gx + 1] * fx;
                float bottom = grid[(gy + 1) * gw + gx] * (1 - fx) + grid[(gy + 1) * gw + gx + 1] * fx;
                texture[y * width + x] = top * (1 - fy) + bottom * fy + 0.01f * (2 * random.NextSingle() - 1);
            }
        }
        return texture;
    }

    /// <summary>An imitator moved towards the master: gap 1 is the imitator, gap 0 the master's own statistics.</summary>
    static HatchingStyle Blend(HatchingStyle master, HatchingStyle imitator, double gap)
    {
        double L(double a, double b) => a + gap * (b - a);
        return imitator with
        {
            OrientationDegrees = L(master.OrientationDegrees, imitator.OrientationDegrees), OrientationSpread = L(master.OrientationSpread, imitator.OrientationSpread),
            LengthMm = L(master.LengthMm, imitator.LengthMm), Curvature = L(master.Curvature, imitator.Curvature), TremorMm = L(master.TremorMm, imitator.TremorMm),
            SpacingMm = L(master.SpacingMm, imitator.SpacingMm), CrossHatching = L(master.CrossHatching, imitator.CrossHatching), WidthMm = L(master.WidthMm, imitator.WidthMm),
        };
    }

    static void Save(string path, float[] rgb, int height, int width, Format format, Random random)
    {
        int plane = height * width;
        if (format.Extension == ".jpg")
        {
            SaveJpeg(path, rgb, height, width, format.Channels == 1, quality: 75 + random.Next(15));
            return;
        }
        TiffWriter.Write(path, height, width, format.Channels, format.Bits, tileSize: 0, (top, rows, band) =>
        {
            for (int y = 0; y < rows; y++)
                for (int x = 0; x < width; x++)
                {
                    int i = (top + y) * width + x, at = (y * width + x) * format.Channels;
                    if (format.Channels == 1) band[at] = Luminance(rgb, i, plane);
                    else
                        for (int c = 0; c < format.Channels; c++) band[at + c] = c < 3 ? rgb[c * plane + i] : 1f;
                }
        });
    }

    internal static void SaveJpeg(string path, float[] rgb, int height, int width, bool grey, int quality)
    {
        int plane = height * width;
        using var image = new Image<Rgb24>(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < width; x++)
                {
                    int i = y * width + x;
                    byte B(float v) => (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255);
                    row[x] = grey ? new Rgb24(B(Luminance(rgb, i, plane)), B(Luminance(rgb, i, plane)), B(Luminance(rgb, i, plane)))
                        : new Rgb24(B(rgb[i]), B(rgb[plane + i]), B(rgb[2 * plane + i]));
                }
            }
        });
        var encoder = new JpegEncoder { Quality = quality, ColorType = grey ? JpegColorType.Luminance : JpegColorType.YCbCrRatio420 };
        AtomicFile.Write(path, stream => image.SaveAsJpeg(stream, encoder));
    }

    /// <summary>A crop of the drawing's top-left quarter, as a museum's detail photograph would be.</summary>
    static void SaveDetail(string path, float[] rgb, int height, int width)
    {
        int h = height / 2, w = width / 2;
        var crop = new float[3 * h * w];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                Array.Copy(rgb, c * height * width + y * width, crop, c * h * w + y * w, w);
        SaveJpeg(path, crop, h, w, grey: false, quality: 85);
    }

    /// <summary>ITU-R 601 luma, as PIL's convert('L').</summary>
    static float Luminance(float[] rgb, int i, int plane) => 0.299f * rgb[i] + 0.587f * rgb[plane + i] + 0.114f * rgb[2 * plane + i];
}
