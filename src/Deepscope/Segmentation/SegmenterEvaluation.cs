using System.Diagnostics;
using Deepscope.Data;
using Deepscope.Data.Sources;

namespace Deepscope.Segmentation;

/// <summary>
/// A trained segmenter's figures on a labelled folder (images/ and masks/ matched by name): every image predicted
/// tile by tile into a mask file, then compared with its truth band by band. The confusion matrix is summed over the
/// whole set before any ratio is taken; speed is megapixels of input per second of prediction (reading, the model,
/// writing the mask).
/// </summary>
public sealed record SegmenterEvaluation(long[][] Confusion, DefectScores Defects, double Megapixels, double PredictionSeconds)
{
    public SegmentationScores Scores => SegmentationScores.From(ToMatrix(Confusion));
    public double MegapixelsPerSecond => Megapixels / PredictionSeconds;

    /// <summary>Predicts every image of <paramref name="folder"/> into <paramref name="predictions"/> (masks and defect CSVs) and scores them.</summary>
    public static SegmenterEvaluation Run(EncoderDecoder model, IReadOnlyList<string> classNames, string folder, string predictions, int tile,
        int minDefectSize, double micronsPerPixel, IProgressReporter? progress = null)
    {
        var predictor = new TiledPredictor(model, tile);
        Directory.CreateDirectory(predictions);
        double megapixels = 0, seconds = 0;
        foreach (var (image, _) in Pairs(folder))
        {
            var mask = PredictionPath(predictions, image);
            var watch = Stopwatch.StartNew();
            var (height, width) = predictor.PredictFile(image, mask, progress);
            seconds += watch.Elapsed.TotalSeconds;
            megapixels += height * (double)width / 1e6;
            MaskEvaluation.WriteDefects(Path.ChangeExtension(mask, ".csv"), MaskEvaluation.Components(mask, minDefectSize), classNames, micronsPerPixel);
        }
        var (confusion, defects) = Score(folder, predictions, model.Classes, minDefectSize);
        return new SegmenterEvaluation(confusion, defects, megapixels, seconds);
    }

    /// <summary>The confusion matrix (rows: truth) and defect scores of the predicted masks in <paramref name="predictions"/>, summed over the folder.</summary>
    public static (long[][] Confusion, DefectScores Defects) Score(string folder, string predictions, int classes, int minDefectSize)
    {
        var confusion = new long[classes][];
        for (int t = 0; t < classes; t++) confusion[t] = new long[classes];
        var defects = new DefectScores(minDefectSize, 0, 0, 0, 0, 0, 0);
        foreach (var (image, truth) in Pairs(folder))
        {
            var comparison = MaskEvaluation.Compare(truth, PredictionPath(predictions, image), classes, minDefectSize);
            for (int t = 0; t < classes; t++)
                for (int p = 0; p < classes; p++) confusion[t][p] += comparison.Confusion[t, p];
            defects = defects.Add(comparison.Defects);
        }
        return (confusion, defects);
    }

    static List<(string First, string Second)> Pairs(string folder) => FilePairs.Match(Path.Combine(folder, "images"), Path.Combine(folder, "masks"));

    /// <summary>Where the predicted mask of an image goes: its file name with a .tif extension.</summary>
    public static string PredictionPath(string predictions, string image) => Path.Combine(predictions, Path.GetFileNameWithoutExtension(image) + ".tif");

    static long[,] ToMatrix(long[][] rows)
    {
        var matrix = new long[rows.Length, rows.Length];
        for (int t = 0; t < rows.Length; t++)
            for (int p = 0; p < rows.Length; p++) matrix[t, p] = rows[t][p];
        return matrix;
    }
}
