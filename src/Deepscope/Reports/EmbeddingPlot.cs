using Deepscope.Embedding;
using Deepscope.IO;
using ScottPlot;
using SkiaSharp;
using static TorchSharp.torch;

namespace Deepscope.Reports;

/// <summary>How an embedding scatter plot looks; null sizes and opacity follow N (smaller, fainter points for larger N).</summary>
public sealed record EmbeddingPlotOptions
{
    /// <summary>First title line; default: the method's name.</summary>
    public string? Title { get; init; }
    /// <summary>Names the data in the title, e.g. "MNIST test".</summary>
    public string? DataName { get; init; }
    /// <summary>Printed under the title when set.</summary>
    public EmbeddingQuality? Quality { get; init; }
    public int Width { get; init; } = 900;
    public int Height { get; init; } = 720;
    public double? MarkerSize { get; init; }
    public double? Opacity { get; init; }
    /// <summary>Images (N, H, W) or (N, C, H, W), uint8 or float in [0, 1], drawn as thumbnails at a spread-out subset of the points.</summary>
    public Tensor? Thumbnails { get; init; }
    public int MaxThumbnails { get; init; } = 120;
    /// <summary>Draw order is shuffled with this seed so no class hides another systematically.</summary>
    public long Seed { get; init; }
}

/// <summary>
/// Paper-style 2-D scatter plots of embeddings with ScottPlot 5: one colour per class (Tableau/Category10, then
/// Category20), a legend of class names beside the axes, the method and its settings in the title, equal axis units,
/// and marker size and opacity chosen from N against overplotting. Saved as PNG or SVG by extension.
/// </summary>
public static class EmbeddingPlot
{
    public static Plot Scatter(EmbeddingResult embedding, long[]? labels = null, IReadOnlyList<string>? classNames = null, EmbeddingPlotOptions? options = null)
    {
        options ??= new EmbeddingPlotOptions();
        if (embedding.Dimensions < 2) throw new DeepscopeException($"plot: needs a 2-D embedding, got {embedding.Dimensions} dimension(s)");
        int n = embedding.Count;
        if (labels != null && labels.Length != n) throw new DeepscopeException($"plot: {labels.Length} labels for {n} points");
        var plot = new Plot();
        float size = (float)(options.MarkerSize ?? Math.Clamp(16 / Math.Pow(n, 0.22), 1.6, 8));
        double opacity = options.Opacity ?? Math.Clamp(1.55 - 0.25 * Math.Log10(Math.Max(n, 1)), 0.3, 0.9);

        int classes = labels == null || n == 0 ? 1 : (int)Math.Max(labels.Max() + 1, classNames?.Count ?? 0);
        var palette = classes <= 10 ? (IPalette)new ScottPlot.Palettes.Category10() : new ScottPlot.Palettes.Category20();
        // Shuffled rounds: each class is drawn in several interleaved slices, so the last class does not cover the others.
        var order = Enumerable.Range(0, n).ToArray();
        new Random((int)options.Seed).Shuffle(order);
        const int rounds = 6;
        var legend = new List<LegendItem>();
        for (int r = 0; r < rounds; r++)
            for (int c = 0; c < classes; c++)
            {
                var xs = new List<double>();
                var ys = new List<double>();
                for (int o = r; o < n; o += rounds)
                {
                    int i = order[o];
                    if (labels != null && labels[i] != c) continue;
                    xs.Add(embedding.Points[i, 0]);
                    ys.Add(embedding.Points[i, 1]);
                }
                var color = (labels == null ? new Color(31, 119, 180) : palette.GetColor(c)).WithOpacity(opacity);
                if (xs.Count > 0)
                {
                    var markers = plot.Add.Markers(xs.ToArray(), ys.ToArray(), MarkerShape.FilledCircle, size, color);
                    markers.MarkerStyle.LineWidth = 0;
                }
                if (r == 0 && labels != null)
                    legend.Add(new LegendItem
                    {
                        LabelText = classNames != null && c < classNames.Count ? classNames[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        MarkerShape = MarkerShape.FilledCircle, MarkerSize = 9, MarkerFillColor = palette.GetColor(c), MarkerLineWidth = 0,
                    });
            }
        if (options.Thumbnails is { } images) AddThumbnails(plot, embedding, images, labels, palette, options);

        string title = (options.Title ?? embedding.Method) + (options.DataName != null ? $" of {options.DataName}" : "") + $" (N = {n:N0})";
        string second = embedding.Settings + (options.Quality != null ? $"\nT({options.Quality.K}) = {options.Quality.Trustworthiness:F3}, C({options.Quality.K}) = {options.Quality.Continuity:F3}{(options.Quality.Sampled ? " (sampled)" : "")}" : "");
        plot.Title($"{title}\n{second}", 15);
        plot.Axes.Title.Label.Bold = false;
        plot.XLabel($"{embedding.Method} 1", 14);
        plot.YLabel($"{embedding.Method} 2", 14);
        plot.Axes.SquareUnits();
        plot.Axes.Margins(0.03, 0.03);
        plot.Grid.MajorLineColor = Colors.Black.WithOpacity(0.06);
        if (legend.Count > 0)
        {
            plot.ShowLegend(legend, Alignment.UpperRight);
            plot.ShowLegend(Edge.Right);
            plot.Legend.FontSize = 13;
            plot.Legend.OutlineWidth = 0;
        }
        return plot;
    }

    /// <summary>Grey images become ink in their class colour on white; colour images are drawn as they are.</summary>
    static void AddThumbnails(Plot plot, EmbeddingResult embedding, Tensor images, long[]? labels, IPalette palette, EmbeddingPlotOptions options)
    {
        int n = embedding.Count;
        if (images.shape[0] != n) throw new DeepscopeException($"plot: {images.shape[0]} thumbnails for {n} points");
        using var scope = NewDisposeScope();
        var pixels = images.dim() == 4 ? images : images.unsqueeze(1);
        if (pixels.dtype != ScalarType.Byte) pixels = (pixels.to_type(ScalarType.Float32) * 255).clamp(0, 255).to_type(ScalarType.Byte);
        // A spread-out subset: greedily keep points at least a fixed share of the extent away from those kept.
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        for (int i = 0; i < n; i++)
        {
            minX = Math.Min(minX, embedding.Points[i, 0]); maxX = Math.Max(maxX, embedding.Points[i, 0]);
            minY = Math.Min(minY, embedding.Points[i, 1]); maxY = Math.Max(maxY, embedding.Points[i, 1]);
        }
        double spacing = Math.Max(maxX - minX, maxY - minY) / Math.Sqrt(options.MaxThumbnails) * 0.9;
        var kept = new List<int>();
        var order = Enumerable.Range(0, n).ToArray();
        new Random((int)options.Seed + 1).Shuffle(order);
        foreach (int i in order)
        {
            if (kept.Count >= options.MaxThumbnails) break;
            if (kept.All(j => Math.Max(Math.Abs(embedding.Points[i, 0] - embedding.Points[j, 0]), Math.Abs(embedding.Points[i, 1] - embedding.Points[j, 1])) >= spacing))
                kept.Add(i);
        }
        int channels = (int)pixels.shape[1], height = (int)pixels.shape[2], width = (int)pixels.shape[3];
        float scale = (float)Math.Clamp(28.0 / Math.Max(height, width), 0.5, 2);
        foreach (int i in kept)
        {
            var hwc = pixels[i].permute(1, 2, 0).contiguous().data<byte>().ToArray();
            var ink = labels == null ? Colors.Black : palette.GetColor((int)labels[i]);
            var rgb = new byte[height, width, 3];
            for (int yy = 0; yy < height; yy++)
                for (int xx = 0; xx < width; xx++)
                {
                    int at = (yy * width + xx) * channels;
                    double a = hwc[at] / 255.0;
                    if (channels == 1)
                        (rgb[yy, xx, 0], rgb[yy, xx, 1], rgb[yy, xx, 2]) = (Blend(ink.R, a), Blend(ink.G, a), Blend(ink.B, a));
                    else
                        (rgb[yy, xx, 0], rgb[yy, xx, 1], rgb[yy, xx, 2]) = (hwc[at], hwc[at + 1], hwc[at + 2]);
                }
            plot.Add.ImageMarker(new Coordinates(embedding.Points[i, 0], embedding.Points[i, 1]), new Image(rgb), scale);
        }
    }

    /// <summary>Ink of opacity <paramref name="a"/> on white.</summary>
    static byte Blend(byte ink, double a) => (byte)Math.Round(255 - a * (255 - ink));

    /// <summary>Writes a plot as PNG or SVG (by the extension of <paramref name="path"/>), atomically.</summary>
    public static void Save(Plot plot, string path, int width = 900, int height = 720) =>
        WriteImage(path, width, height, canvas => plot.Render(canvas, width, height), () => plot.GetImageBytes(width, height, ImageFormat.Png));

    /// <summary>Several embeddings side by side, <paramref name="columns"/> per row, one shared size per panel; PNG or SVG.</summary>
    public static void SaveGrid(IReadOnlyList<Plot> panels, string path, int columns = 3, int panelWidth = 640, int panelHeight = 560)
    {
        if (panels.Count == 0) throw new DeepscopeException("plot: no panels for the grid");
        columns = Math.Clamp(columns, 1, panels.Count);
        int rows = (panels.Count + columns - 1) / columns;
        var multiplot = new Multiplot(panels[0]);
        foreach (var panel in panels.Skip(1)) multiplot.AddPlot(panel);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        int width = panelWidth * columns, height = panelHeight * rows;
        WriteImage(path, width, height, canvas => multiplot.Render(canvas, new PixelRect(0, width, height, 0)), () =>
        {
            using var surface = SKSurface.Create(new SKImageInfo(width, height));
            surface.Canvas.Clear(SKColors.White);
            multiplot.Render(surface.Canvas, new PixelRect(0, width, height, 0));
            using var image = surface.Snapshot();
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            return data.ToArray();
        });
    }

    static void WriteImage(string path, int width, int height, Action<SKCanvas> renderSvg, Func<byte[]> renderPng)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".png" or ".svg")) throw new DeepscopeException($"{path}: plot format must be .png or .svg");
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory != null) Directory.CreateDirectory(directory);
        AtomicFile.Write(path, stream =>
        {
            if (extension == ".png")
            {
                stream.Write(renderPng());
                return;
            }
            using var buffer = new MemoryStream();
            using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), buffer))
                renderSvg(canvas);
            buffer.Position = 0;
            buffer.CopyTo(stream);
        });
    }
}
