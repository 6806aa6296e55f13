using System.Globalization;
using System.Text;
using Deepscope.Data;
using Deepscope.Data.Sources;
using Deepscope.IO;

namespace Deepscope.Segmentation;

/// <summary>
/// Mask files of any size compared or listed band by band (memory: one band of rows and the components' bounds):
/// a predicted mask against the truth (<see cref="Compare"/>: the confusion matrix and defect-level scores), and a
/// predicted mask's defects as a CSV (<see cref="WriteDefects"/>).
/// </summary>
public static class MaskEvaluation
{
    const int BandRows = 256;

    /// <summary>The glass inspection's pixel size and smallest defect that counts: 10 microns, 20 pixels across.</summary>
    public const double DefaultMicronsPerPixel = 0.5;
    public const int DefaultMinDefectSize = 20;

    public sealed record Comparison(long[,] Confusion, DefectScores Defects);

    public static Comparison Compare(string truthPath, string predictedPath, int classes, int minSize)
    {
        var (height, width) = ImageFile.ReadSize(truthPath);
        if (ImageFile.ReadSize(predictedPath) != (height, width))
            throw new InvalidDataFileException(predictedPath, $"predicted mask size differs from the truth's {height}x{width} ({truthPath})");
        var truth = new MaskBands([truthPath]);
        var predicted = new MaskBands([predictedPath]);
        var confusion = new long[classes, classes];
        var (truthLabels, predictedLabels) = (new ComponentLabeller(), new ComponentLabeller());
        var overlaps = new HashSet<(int Truth, int Predicted)>();
        for (int top = 0; top < height; top += BandRows)
        {
            int rows = Math.Min(BandRows, height - top);
            var t = truth.Window(0, top, 0, rows, width);
            var p = predicted.Window(0, top, 0, rows, width);
            for (int i = 0; i < t.Length; i++)
            {
                if (t[i] >= classes || p[i] >= classes)
                    throw new InvalidDataFileException(t[i] >= classes ? truthPath : predictedPath, $"class {Math.Max(t[i], p[i])} at row {top + i / width} is beyond the {classes} classes");
                confusion[t[i], p[i]]++;
            }
            for (int y = 0; y < rows; y++)
            {
                var truthRuns = truthLabels.AddRow(t.AsSpan(y * width, width));
                var predictedRuns = predictedLabels.AddRow(p.AsSpan(y * width, width));
                int j = 0;
                foreach (var run in truthRuns)
                {
                    while (j < predictedRuns.Count && predictedRuns[j].X1 < run.X0) j++;
                    for (int k = j; k < predictedRuns.Count && predictedRuns[k].X0 <= run.X1; k++) overlaps.Add((run.Label, predictedRuns[k].Label));
                }
            }
        }
        var matched = overlaps.Select(o => (Truth: truthLabels.Root(o.Truth), Predicted: predictedLabels.Root(o.Predicted))).ToList();
        var foundTruth = matched.Select(m => m.Truth).ToHashSet();
        var matchedPredicted = matched.Select(m => m.Predicted).ToHashSet();
        var large = truthLabels.Components().Where(c => c.Value.Size >= minSize).ToList();
        var predictedComponents = predictedLabels.Components();
        var reported = predictedComponents.Where(c => c.Value.Size >= minSize).Select(c => c.Key).ToList();
        return new Comparison(confusion, new DefectScores(minSize, large.Count, large.Count(c => foundTruth.Contains(c.Key)),
            predictedComponents.Count, predictedComponents.Keys.Count(matchedPredicted.Contains), reported.Count, reported.Count(matchedPredicted.Contains)));
    }

    /// <summary>The connected components of a mask file at least <paramref name="minSize"/> pixels across, top to bottom.</summary>
    public static IReadOnlyList<Component> Components(string maskPath, int minSize = 1)
    {
        var (height, width) = ImageFile.ReadSize(maskPath);
        var mask = new MaskBands([maskPath]);
        var labeller = new ComponentLabeller();
        for (int top = 0; top < height; top += BandRows)
        {
            int rows = Math.Min(BandRows, height - top);
            var band = mask.Window(0, top, 0, rows, width);
            for (int y = 0; y < rows; y++) labeller.AddRow(band.AsSpan(y * width, width));
        }
        return [.. labeller.Components().OrderBy(c => c.Key).Select(c => c.Value).Where(c => c.Size >= minSize)];
    }

    /// <summary>
    /// Writes the defect list atomically: one row per component with its class name, bounding box (pixels, inclusive)
    /// and area in pixels and square microns, and the box's size in microns.
    /// </summary>
    public static void WriteDefects(string path, IReadOnlyList<Component> components, IReadOnlyList<string> classNames, double micronsPerPixel)
    {
        var csv = new StringBuilder("defect,class,left,top,right,bottom,area_px,area_um2,width_um,height_um\n");
        for (int i = 0; i < components.Count; i++)
        {
            var c = components[i];
            string name = c.Class < classNames.Count ? classNames[c.Class] : c.Class.ToString(CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture,
                $"{i},{name},{c.Left},{c.Top},{c.Right},{c.Bottom},{c.Area},{c.Area * micronsPerPixel * micronsPerPixel:G6},{(c.Right - c.Left + 1) * micronsPerPixel:G6},{(c.Bottom - c.Top + 1) * micronsPerPixel:G6}\n");
        }
        AtomicFile.WriteAllText(path, csv.ToString());
    }
}
