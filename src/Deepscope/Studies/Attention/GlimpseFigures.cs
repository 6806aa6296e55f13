using Deepscope.Data;
using Deepscope.Data.Sources;
using Deepscope.IO;
using Deepscope.Models.Attention;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace Deepscope.Studies.Attention;

/// <summary>Where a trained RAM looked on one test digit, and what it believed after each glimpse.</summary>
public sealed record GlimpsePath(int Label, int Predicted, double[][] Locations, double[] TrueClassProbability);

/// <summary>
/// Pictures of a trained RAM's glimpses on test digits: a PNG grid (one row per digit: the image with the glimpse
/// path, each glimpse's boxes in its colour from blue (first) to red (last), then what the retina saw at each glimpse,
/// scales side by side) and an animated GIF (one frame per glimpse). Locations use the policy's mean, as evaluation does.
/// </summary>
public static class GlimpseFigures
{
    const int Gap = 4;

    /// <summary>Draws the first <paramref name="count"/> test digits' glimpses to <paramref name="pngPath"/> and, when given, <paramref name="gifPath"/>.</summary>
    public static IReadOnlyList<GlimpsePath> Write(RecurrentAttentionModel model, AttentionRunRecord record, IDataSource test, int count,
        string pngPath, string? gifPath)
    {
        using var scope = NewDisposeScope();
        using var batch = test.Read([.. Enumerable.Range(0, (int)Math.Min(count, test.Count)).Select(i => (long)i)], 0);
        var images = AttentionRun.Transform(record.Options).Apply(batch[Fields.Input]);
        var labels = batch[Fields.Label].data<long>().ToArray();
        using var generator = new Generator((ulong)record.Seed);
        using var _ = no_grad();
        model.eval();
        var (output, trace) = model.Trace(images, generator);
        using (trace)
        {
            var retina = model.Options.Retina;
            int n = labels.Length, glimpses = model.Options.Glimpses, side = (int)images.shape[2];
            int zoom = Math.Max(1, 120 / side), patchZoom = Math.Max(1, 48 / retina.Patch);
            var locations = trace.Locations.to_type(ScalarType.Float64).data<double>().ToArray();
            var probabilities = trace.Probabilities.to_type(ScalarType.Float64).data<double>().ToArray();
            var predicted = output.Logits.argmax(1).data<long>().ToArray();
            var pixels = images.squeeze(1).data<float>().ToArray();
            var patches = new List<float[]>();
            for (int t = 0; t < glimpses; t++)
                patches.Add(retina.Sense(images, trace.Locations[.., t]).data<float>().ToArray());

            int canvasSide = side * zoom, patchSide = retina.Patch * patchZoom;
            int rowWidth = canvasSide + Gap + glimpses * (retina.Scales * (patchSide + 1) + Gap);
            int rowHeight = Math.Max(canvasSide, patchSide) + Gap;
            using var grid = new Image<Rgb24>(rowWidth, n * rowHeight, new Rgb24(255, 255, 255));
            var paths = new List<GlimpsePath>(n);
            for (int i = 0; i < n; i++)
            {
                var digit = pixels.AsSpan(i * side * side, side * side);
                var at = Enumerable.Range(0, glimpses).Select(t => new[] { locations[(i * glimpses + t) * 2], locations[(i * glimpses + t) * 2 + 1] }).ToArray();
                DrawDigit(grid, 0, i * rowHeight, digit, side, zoom);
                DrawPath(grid, 0, i * rowHeight, at, retina, side, zoom, glimpses);
                for (int t = 0; t < glimpses; t++)
                    for (int s = 0; s < retina.Scales; s++)
                    {
                        int x = canvasSide + Gap + t * (retina.Scales * (patchSide + 1) + Gap) + s * (patchSide + 1);
                        int patchValues = retina.Patch * retina.Patch;
                        DrawDigit(grid, x, i * rowHeight, patches[t].AsSpan((i * retina.Scales + s) * patchValues, patchValues), retina.Patch, patchZoom);
                        Frame(grid, x, i * rowHeight, patchSide, patchSide, Colour(t, glimpses));
                    }
                paths.Add(new GlimpsePath((int)labels[i], (int)predicted[i], at,
                    Enumerable.Range(0, glimpses).Select(t => probabilities[(i * glimpses + t) * 10 + labels[i]]).ToArray()));
            }
            AtomicFile.Write(pngPath, s => grid.SaveAsPng(s));
            if (gifPath is not null) WriteGif(gifPath, pixels, paths, retina, side, zoom, glimpses);
            return paths;
        }
    }

    /// <summary>One frame per glimpse: every digit with the path so far, the current glimpse's boxes drawn last.</summary>
    static void WriteGif(string path, float[] pixels, IReadOnlyList<GlimpsePath> paths, Retina retina, int side, int zoom, int glimpses)
    {
        int canvasSide = side * zoom, columns = Math.Min(paths.Count, 4), rows = (paths.Count + columns - 1) / columns;
        using var animation = new Image<Rgb24>(columns * (canvasSide + Gap), rows * (canvasSide + Gap));
        for (int t = 0; t < glimpses; t++)
        {
            using var frame = new Image<Rgb24>(animation.Width, animation.Height, new Rgb24(255, 255, 255));
            for (int i = 0; i < paths.Count; i++)
            {
                int x = i % columns * (canvasSide + Gap), y = i / columns * (canvasSide + Gap);
                DrawDigit(frame, x, y, pixels.AsSpan(i * side * side, side * side), side, zoom);
                DrawPath(frame, x, y, paths[i].Locations[..(t + 1)], retina, side, zoom, glimpses);
            }
            frame.Frames.RootFrame.Metadata.GetGifMetadata().FrameDelay = 70;
            animation.Frames.AddFrame(frame.Frames.RootFrame);
        }
        animation.Frames.RemoveFrame(0);
        animation.Metadata.GetGifMetadata().RepeatCount = 0;
        AtomicFile.Write(path, s => animation.SaveAsGif(s));
    }

    static void DrawDigit(Image<Rgb24> image, int left, int top, ReadOnlySpan<float> values, int side, int zoom)
    {
        for (int r = 0; r < side * zoom; r++)
            for (int c = 0; c < side * zoom; c++)
            {
                byte v = (byte)Math.Clamp(values[r / zoom * side + c / zoom] * 255, 0, 255);
                image[left + c, top + r] = new Rgb24(v, v, v);
            }
    }

    /// <summary>Lines between successive glimpse centres and each glimpse's boxes, clipped to the drawn digit.</summary>
    static void DrawPath(Image<Rgb24> image, int left, int top, IReadOnlyList<double[]> locations, Retina retina, int side, int zoom, int glimpses)
    {
        (int X, int Y) Centre(double[] l) => ((int)((l[1] + 1) / 2 * side * zoom), (int)((l[0] + 1) / 2 * side * zoom));
        for (int t = 0; t < locations.Count; t++)
        {
            var colour = Colour(t, glimpses);
            var (x, y) = Centre(locations[t]);
            if (t > 0)
            {
                var (px, py) = Centre(locations[t - 1]);
                Line(image, left, top, side * zoom, px, py, x, y, colour);
            }
            for (int s = 0; s < retina.Scales; s++)
            {
                int half = retina.SideOf(s) * zoom / 2;
                Box(image, left, top, side * zoom, x - half, y - half, 2 * half, colour);
            }
        }
    }

    static Rgb24 Colour(int t, int glimpses)
    {
        double f = glimpses == 1 ? 1 : (double)t / (glimpses - 1);
        return new Rgb24((byte)(40 + 215 * f), 60, (byte)(255 - 215 * f));
    }

    static void Frame(Image<Rgb24> image, int x, int y, int width, int height, Rgb24 colour)
    {
        for (int i = 0; i < width; i++) { image[x + i, y] = colour; image[x + i, y + height - 1] = colour; }
        for (int i = 0; i < height; i++) { image[x, y + i] = colour; image[x + width - 1, y + i] = colour; }
    }

    static void Box(Image<Rgb24> image, int left, int top, int extent, int x, int y, int size, Rgb24 colour)
    {
        for (int i = 0; i <= size; i++)
        {
            Plot(image, left, top, extent, x + i, y, colour);
            Plot(image, left, top, extent, x + i, y + size, colour);
            Plot(image, left, top, extent, x, y + i, colour);
            Plot(image, left, top, extent, x + size, y + i, colour);
        }
    }

    static void Line(Image<Rgb24> image, int left, int top, int extent, int x0, int y0, int x1, int y1, Rgb24 colour)
    {
        int steps = Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0));
        for (int i = 0; i <= steps; i++)
        {
            double f = steps == 0 ? 0 : (double)i / steps;
            Plot(image, left, top, extent, (int)Math.Round(x0 + f * (x1 - x0)), (int)Math.Round(y0 + f * (y1 - y0)), colour);
        }
    }

    static void Plot(Image<Rgb24> image, int left, int top, int extent, int x, int y, Rgb24 colour)
    {
        if (x >= 0 && y >= 0 && x < extent && y < extent) image[left + x, top + y] = colour;
    }
}
