using Deepscope.Reports;
using Deepscope.Training.Metrics;
using ScottPlot;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Deepscope.Studies.Inspection;

/// <summary>The inspection report's pictures: ROC and precision-recall curves, and grids of images.</summary>
public static class InspectionFigures
{
    /// <summary>ROC (left) and precision-recall (right) curves of named scores on one set, as a PNG.</summary>
    public static void Curves(IReadOnlyList<(string Name, IReadOnlyList<(double Score, bool Positive)> Examples)> scores, string path)
    {
        var roc = new Plot();
        var pr = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < scores.Count; i++)
        {
            var points = BinaryCurves.Points(scores[i].Examples);
            var color = palette.GetColor(i);
            var r = roc.Add.ScatterLine(points.Select(p => p.FalsePositiveRate).ToArray(), points.Select(p => p.Recall).ToArray(), color);
            r.LegendText = $"{scores[i].Name} (AUC {RocAucMetric.MannWhitneyAuc(scores[i].Examples):F3})";
            var withRecall = points.Skip(1).ToList();
            var p = pr.Add.ScatterLine(withRecall.Select(q => q.Recall).ToArray(), withRecall.Select(q => q.Precision).ToArray(), color);
            p.LegendText = $"{scores[i].Name} (AP {BinaryCurves.AveragePrecision(scores[i].Examples):F3})";
        }
        var chance = roc.Add.Line(0, 0, 1, 1);
        chance.Color = Colors.Gray;
        chance.LinePattern = LinePattern.Dashed;
        roc.Title("ROC");
        roc.XLabel("false positive rate");
        roc.YLabel("true positive rate (recall)");
        pr.Title("Precision-recall");
        pr.XLabel("recall");
        pr.YLabel("precision");
        foreach (var plot in new[] { roc, pr })
        {
            plot.Axes.SetLimits(0, 1, 0, 1.02);
            plot.ShowLegend(Alignment.LowerRight);
        }
        EmbeddingPlot.SaveGrid([roc, pr], path, columns: 2, panelWidth: 560, panelHeight: 520);
    }

    /// <summary>The images as a grid of <paramref name="tile"/>-pixel grey thumbnails, <paramref name="columns"/> per row, as a PNG.</summary>
    public static void ImageGrid(IReadOnlyList<string> files, string path, int columns = 8, int tile = 112)
    {
        if (files.Count == 0) throw new DeepscopeException("image grid: no images");
        columns = Math.Min(columns, files.Count);
        int rows = (files.Count + columns - 1) / columns, gap = 4;
        using var grid = new Image<L8>(columns * (tile + gap) - gap, rows * (tile + gap) - gap, new L8(255));
        for (int i = 0; i < files.Count; i++)
        {
            using var image = SixLabors.ImageSharp.Image.Load<L8>(files[i]);
            image.Mutate(m => m.Resize(tile, tile));
            var at = new SixLabors.ImageSharp.Point(i % columns * (tile + gap), i / columns * (tile + gap));
            grid.Mutate(m => m.DrawImage(image, at, 1f));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        IO.AtomicFile.Write(path, s => grid.SaveAsPng(s));
    }
}
