using Deepscope.Segmentation;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Segmentation;

/// <summary>Connected components, segmentation scores and defect matching on hand-made masks.</summary>
public sealed class ComponentTests
{
    // 0 is background; 8-connectivity joins diagonal neighbours of one class, never two classes.
    static readonly string[] Mask =
    [
        "1100000022",
        "0010002200",
        "0001000000",
        "3000010110",
        "3300011110",
        "0000100000",
    ];

    static long[] Row(string text) => [.. text.Select(c => (long)(c - '0'))];

    [Fact]
    public void Components_follow_diagonals_merge_u_shapes_and_keep_classes_apart()
    {
        var labeller = new ComponentLabeller();
        foreach (var row in Mask) labeller.AddRow(Row(row));
        var components = labeller.Components().Values.OrderBy(c => c.Top).ThenBy(c => c.Left).ToList();
        Assert.Equal(
        [
            new Component(1, 0, 0, 3, 2, 4),   // a diagonal line
            new Component(2, 6, 0, 9, 1, 4),   // a diagonal step
            new Component(3, 0, 3, 1, 4, 3),
            new Component(1, 4, 3, 8, 5, 8),   // a U whose arms join in the row below, and a pixel touching it diagonally
        ], components);
        Assert.Equal(5, components.Max(c => c.Size));
    }

    [Fact]
    public void Scores_from_a_hand_made_confusion_matrix()
    {
        // rows: truth, columns: predicted; class 2 never occurs, so its IoU is NaN and it is left out of the means.
        long[,] confusion = { { 90, 2, 0, 0 }, { 3, 5, 0, 0 }, { 0, 0, 0, 0 }, { 1, 1, 0, 8 } };
        var scores = SegmentationScores.From(confusion);
        Assert.Equal(90 / 96.0, scores.Iou[0], 12);
        Assert.Equal(5 / 11.0, scores.Iou[1], 12);
        Assert.True(double.IsNaN(scores.Iou[2]));
        Assert.Equal(8 / 10.0, scores.Iou[3], 12);
        Assert.Equal((5 / 11.0 + 0.8) / 2, scores.MeanIou, 12);
        Assert.Equal((90 / 96.0 + 5 / 11.0 + 0.8) / 3, scores.MeanIouWithBackground, 12);
        Assert.Equal(103 / 110.0, scores.PixelAccuracy, 12);
    }

    [Fact]
    public void Mask_files_compare_into_the_confusion_matrix_and_defect_recall_and_precision()
    {
        using var dir = new TempDir();
        string[] truth = ["1100000000", "0000000000", "0000022000", "0000000000", "3000000000"];
        string[] predicted = ["0100000000", "0000000000", "0000000000", "0000000044", "3000000000"];
        Write(dir.File("truth.tif"), truth);
        Write(dir.File("predicted.tif"), predicted);
        var comparison = MaskEvaluation.Compare(dir.File("truth.tif"), dir.File("predicted.tif"), 5, minSize: 2);
        Assert.Equal(1, comparison.Confusion[1, 1]);
        Assert.Equal(1, comparison.Confusion[1, 0]);
        Assert.Equal(2, comparison.Confusion[2, 0]);
        Assert.Equal(2, comparison.Confusion[0, 4]);
        Assert.Equal(1, comparison.Confusion[3, 3]);
        Assert.Equal(43, comparison.Confusion[0, 0]);
        // Defects of at least 2 pixels across: the scratch (found) and the pit (missed); the 1-pixel one is not counted.
        // Reported predictions are those at least 2 pixels across: only the chip, which overlaps nothing.
        Assert.Equal(new DefectScores(2, TrueDefects: 2, Found: 1, Predicted: 3, PredictedMatched: 2, Reported: 1, ReportedMatched: 0), comparison.Defects);
        Assert.Equal(0.5, comparison.Defects.Recall);
        Assert.Equal(0, comparison.Defects.Precision);
        Assert.Equal(2 / 3.0, comparison.Defects.RawPrecision, 12);

        Assert.Equal([4], MaskEvaluation.Components(dir.File("predicted.tif"), minSize: 2).Select(c => c.Class));
        MaskEvaluation.WriteDefects(dir.File("defects.csv"), MaskEvaluation.Components(dir.File("predicted.tif")), ["background", "scratch", "pit", "crack", "chip"], 0.5);
        Assert.Equal(
        [
            "defect,class,left,top,right,bottom,area_px,area_um2,width_um,height_um",
            "0,scratch,1,0,1,0,1,0.25,0.5,0.5",
            "1,chip,8,3,9,3,2,0.5,1,0.5",
            "2,crack,0,4,0,4,1,0.25,0.5,0.5",
        ], File.ReadAllLines(dir.File("defects.csv")));
    }

    static void Write(string path, string[] rows) =>
        Deepscope.Data.TiffWriter.Write(path, rows.Length, rows[0].Length, 1, 8, 0, (top, count, band) =>
        {
            for (int y = 0; y < count; y++)
                for (int x = 0; x < rows[0].Length; x++) band[y * rows[0].Length + x] = (rows[top + y][x] - '0') / 255f;
        });
}
