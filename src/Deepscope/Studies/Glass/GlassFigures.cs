using Deepscope.Data.Sources;
using Deepscope.Segmentation;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Deepscope.Studies.Glass;

/// <summary>The glass report's picture: crops around test defects with the truth and each encoder's prediction tinted by class.</summary>
public static class GlassFigures
{
    const int Crop = 256, Gap = 4;
    static readonly Rgb24[] Colours = [new(230, 40, 40), new(240, 200, 0), new(200, 40, 220), new(0, 200, 220), new(40, 190, 60), new(255, 128, 0), new(90, 90, 255)];
    public static readonly string[] ColourNames = ["red", "yellow", "magenta", "cyan", "green", "orange", "blue"];

    /// <summary>
    /// Writes the grid (rows: image, truth, then each prediction folder's masks; columns: crops centred on the largest
    /// test defect of each class in turn) as a PNG; returns where the crops are (image, left, top).
    /// </summary>
    public static string Overlays(string testFolder, IReadOnlyList<(string Name, string Folder)> predictions, int classes, int count, string path)
    {
        var images = Directory.GetFiles(Path.Combine(testFolder, "images")).Where(Data.ImageFile.IsImage).Order(StringComparer.Ordinal).ToList();
        var masks = Directory.GetFiles(Path.Combine(testFolder, "masks")).Where(Data.ImageFile.IsImage).Order(StringComparer.Ordinal).ToList();
        var crops = PickCrops(masks, classes, count);
        int rows = 2 + predictions.Count;
        using var grid = new Image<Rgb24>(Math.Max(1, crops.Count) * (Crop + Gap) - Gap, rows * (Crop + Gap) - Gap, new Rgb24(255, 255, 255));
        var imageBands = new ImageBands(images, 1);
        for (int c = 0; c < crops.Count; c++)
        {
            var (image, left, top) = crops[c];
            var grey = imageBands.Window(image, top, left, Crop, Crop, out _);
            Paint(grid, c, 0, grey, null);
            Paint(grid, c, 1, grey, new MaskBands([masks[image]]).Window(0, top, left, Crop, Crop));
            for (int p = 0; p < predictions.Count; p++)
            {
                var predicted = SegmenterEvaluation.PredictionPath(predictions[p].Folder, images[image]);
                if (File.Exists(predicted)) Paint(grid, c, 2 + p, grey, new MaskBands([predicted]).Window(0, top, left, Crop, Crop));
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        IO.AtomicFile.Write(path, stream => grid.SaveAsPng(stream));
        return string.Join(", ", crops.Select(k => $"{Path.GetFileNameWithoutExtension(images[k.Image])} at ({k.Left}, {k.Top})"));
    }

    /// <summary>Crops centred on the largest defect of each class in turn (the next largest on later rounds), clamped inside the image.</summary>
    static List<(int Image, int Left, int Top)> PickCrops(IReadOnlyList<string> masks, int classes, int count)
    {
        var components = masks.SelectMany((m, i) => MaskEvaluation.Components(m).Select(c => (Image: i, Component: c))).ToList();
        var byClass = Enumerable.Range(1, classes - 1)
            .Select(k => new Queue<(int Image, Component Component)>(components.Where(c => c.Component.Class == k).OrderByDescending(c => c.Component.Area))).ToList();
        var crops = new List<(int, int, int)>();
        while (crops.Count < count && byClass.Any(q => q.Count > 0))
            foreach (var queue in byClass.Where(q => q.Count > 0))
            {
                if (crops.Count == count) break;
                var (image, c) = queue.Dequeue();
                var (height, width) = Data.ImageFile.ReadSize(masks[image]);
                if (height < Crop || width < Crop) continue;
                crops.Add((image, Math.Clamp((c.Left + c.Right) / 2 - Crop / 2, 0, width - Crop), Math.Clamp((c.Top + c.Bottom) / 2 - Crop / 2, 0, height - Crop)));
            }
        return crops;
    }

    /// <summary>A grey crop into cell (column, row), pixels of a non-zero class half-tinted with the class's colour.</summary>
    static void Paint(Image<Rgb24> grid, int column, int row, float[] grey, long[]? classes)
    {
        int x0 = column * (Crop + Gap), y0 = row * (Crop + Gap);
        for (int y = 0; y < Crop; y++)
            for (int x = 0; x < Crop; x++)
            {
                byte g = (byte)Math.Clamp(grey[y * Crop + x] * 255, 0, 255);
                var pixel = new Rgb24(g, g, g);
                if (classes is not null && classes[y * Crop + x] is > 0 and var k)
                {
                    var colour = Colours[(k - 1) % Colours.Length];
                    pixel = new Rgb24((byte)((g + colour.R) / 2), (byte)((g + colour.G) / 2), (byte)((g + colour.B) / 2));
                }
                grid[x0 + x, y0 + y] = pixel;
            }
    }
}
