namespace Deepscope.Segmentation;

/// <summary>
/// Pixel scores from a confusion matrix accumulated over a whole data set (rows: true class, columns: predicted):
/// per-class IoU = TP / (TP + FP + FN) (NaN for a class absent from both truth and prediction), the mean IoU over
/// the defect classes (background, class 0, left out: clean glass would dominate any average) and, for comparison,
/// over all classes, and pixel accuracy (the diagonal over the total, background included).
/// </summary>
public sealed record SegmentationScores(double[] Iou, double MeanIou, double MeanIouWithBackground, double PixelAccuracy)
{
    public const int Background = 0;

    public static SegmentationScores From(long[,] confusion)
    {
        int k = confusion.GetLength(0);
        if (k != confusion.GetLength(1) || k < 2) throw new ArgumentException($"a confusion matrix is square with at least 2 classes, got {k}x{confusion.GetLength(1)}");
        var iou = new double[k];
        long diagonal = 0, total = 0;
        for (int c = 0; c < k; c++)
        {
            long tp = confusion[c, c], fp = 0, fn = 0;
            for (int o = 0; o < k; o++)
                if (o != c) (fp, fn) = (fp + confusion[o, c], fn + confusion[c, o]);
            iou[c] = tp + fp + fn == 0 ? double.NaN : tp / (double)(tp + fp + fn);
            diagonal += tp;
            for (int o = 0; o < k; o++) total += confusion[c, o];
        }
        static double Mean(IEnumerable<double> values) => values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
        return new SegmentationScores(iou, Mean(iou.Skip(1)), Mean(iou), total == 0 ? double.NaN : diagonal / (double)total);
    }
}

/// <summary>
/// Defect-level scores. A true defect is a connected component of the truth mask at least <c>MinSize</c> pixels
/// across its larger side; it is found when a predicted component of any defect class overlaps it. The predicted
/// defects reported (the defect list) are the predicted components at least <c>MinSize</c> across too, since nothing
/// smaller is a defect; <see cref="Precision"/> is the fraction of them overlapping a true defect (of any size), and
/// <see cref="RawPrecision"/> the same over every predicted component, speckles included.
/// </summary>
public sealed record DefectScores(int MinSize, long TrueDefects, long Found, long Predicted, long PredictedMatched, long Reported, long ReportedMatched)
{
    public double Recall => TrueDefects == 0 ? double.NaN : Found / (double)TrueDefects;
    public double Precision => Reported == 0 ? double.NaN : ReportedMatched / (double)Reported;
    public double RawPrecision => Predicted == 0 ? double.NaN : PredictedMatched / (double)Predicted;

    public DefectScores Add(DefectScores other) => new(MinSize, TrueDefects + other.TrueDefects, Found + other.Found, Predicted + other.Predicted,
        PredictedMatched + other.PredictedMatched, Reported + other.Reported, ReportedMatched + other.ReportedMatched);
}
