using System.Globalization;
using Deepscope.Reports;
using Deepscope.Segmentation;

namespace Deepscope.Studies.Glass;

/// <summary>One encoder's row of the comparison.</summary>
public sealed record GlassEncoderResult(string Encoder, long Parameters, double TrainingSeconds, int BestEpoch, double ValidationIou,
    double[] Iou, double MeanIou, double MeanIouWithBackground, double PixelAccuracy, DefectScores Defects, double MegapixelsPerSecond, double Megapixels);

/// <summary>What results.json holds.</summary>
public sealed record GlassResults(string TestFolder, IReadOnlyList<string> Classes, int MinDefectSize, IReadOnlyList<GlassEncoderResult> Encoders);

/// <summary>
/// The glass study: for each encoder, a segmenter trained on defect-oversampled patches (stage <c>glass-train</c>,
/// weights under <c>models/ENCODER</c>), then every test image predicted whole by overlapping tiles and scored against
/// its mask (stage <c>glass-eval</c>, masks and defect CSVs under <c>predictions/ENCODER</c>): per-class IoU and mean
/// IoU from the test set's confusion matrix, pixel accuracy, defect-level recall and precision, and megapixels per
/// second. The report compares the encoders in one table and shows predictions over crops of the test images.
/// </summary>
public sealed class GlassStudy(GlassStudyOptions options) : IStudy
{
    public void Run(StudyContext context)
    {
        if (options.Data.Length == 0 || options.Test.Length == 0) throw new DeepscopeException("the glass study needs 'data' and 'test' folders (images/ and masks/)");
        foreach (var encoder in context.MyCells(options.Encoders)) Evaluate(context, encoder);
    }

    StageKey TrainKey(StudyContext context, string encoder) => new("glass-train", options.Training(encoder, context.ResolvePath));

    StageKey EvaluationKey(StudyContext context, string encoder) =>
        new("glass-eval", new { training = options.Training(encoder, context.ResolvePath), test = context.ResolvePath(options.Test), options.Tile, options.MinDefectSize });

    SegmenterRecord Train(StudyContext context, string encoder) => context.Stage(TrainKey(context, encoder),
        $"train {encoder}", () => SegmenterTraining.Train(options.Training(encoder, context.ResolvePath), ModelFolder(context, encoder), context.Seed, context.Progress));

    SegmenterEvaluation Evaluate(StudyContext context, string encoder)
    {
        Train(context, encoder);
        return context.Stage(EvaluationKey(context, encoder),
            $"evaluate {encoder}", () =>
            {
                var (_, model) = SegmenterRecord.Load(ModelFolder(context, encoder));
                using (model)
                    return SegmenterEvaluation.Run(model, options.Classes, context.ResolvePath(options.Test), PredictionFolder(context, encoder), options.Tile,
                        options.MinDefectSize, options.MicronsPerPixel, context.Progress);
            });
    }

    static string ModelFolder(StudyContext context, string encoder) => Path.Combine(context.RunDirectory, "models", encoder);
    static string PredictionFolder(StudyContext context, string encoder) => Path.Combine(context.RunDirectory, "predictions", encoder);

    public StudyReport Report(StudyContext context)
    {
        var classes = options.Classes;
        // Only what is stored: a shard's report must not train the other shards' encoders.
        var finished = options.Encoders.Select(encoder => (encoder, record: context.Lookup<SegmenterRecord>(TrainKey(context, encoder))?.Value,
                evaluation: context.Lookup<SegmenterEvaluation>(EvaluationKey(context, encoder))?.Value))
            .Where(e => e.record is not null && e.evaluation is not null).Select(e => (e.encoder, record: e.record!, evaluation: e.evaluation!)).ToList();
        var pending = options.Encoders.Except(finished.Select(e => e.encoder)).ToList();
        var results = finished.Select(done =>
        {
            var (encoder, record, evaluation) = done;
            // Scored again from the predicted masks (seconds), so a report shows the current metrics without predicting again.
            var (confusion, defects) = SegmenterEvaluation.Score(context.ResolvePath(options.Test), PredictionFolder(context, encoder), classes.Length, options.MinDefectSize);
            var scores = (evaluation with { Confusion = confusion }).Scores;
            using var model = record.Create();
            long parameters = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
            return new GlassEncoderResult(encoder, parameters, record.TrainingSeconds, record.BestEpoch, record.ValidationIou, scores.Iou, scores.MeanIou,
                scores.MeanIouWithBackground, scores.PixelAccuracy, defects, evaluation.MegapixelsPerSecond, evaluation.Megapixels);
        }).ToList();

        var blocks = new List<ReportBlock>
        {
            new Paragraphs([
                $"Each encoder under the same U-Net-style decoder, trained on {options.Epochs} epochs of {options.PatchesPerEpoch} patches of {options.PatchSize} px " +
                $"({options.DefectFraction:P0} centred on a defect, classes drawn equally), loss {options.Loss.ToString().ToLowerInvariant()}, AdamW at {options.LearningRate} with a cosine schedule. " +
                $"Test: every image of {options.Test} ({results.FirstOrDefault()?.Megapixels:F1} MP) predicted whole by overlapping {options.Tile}-px tiles with margins of at least the receptive-field radius.",
                "Mean IoU is over the five defect classes (background left out; with it in, the figure is in its own column), from the confusion matrix summed over the test set. " +
                $"A true defect (a connected component of the truth mask at least {options.MinDefectSize} px across) is found when a predicted component overlaps it; " +
                "precision is the fraction of the predicted defects (components at least as large) overlapping a true defect, and the same over all predicted components, speckles included. MP/s: megapixels of input per second of prediction, one libtorch thread.",
                .. pending.Count == 0 ? Array.Empty<string>() : [$"Not trained or evaluated yet (other shards, or a run still going): {string.Join(", ", pending)}; 'deepscope report' adds them once stored."],
            ]),
            new Table(["encoder", "parameters", "train s", "mIoU (defects)", "mIoU (with bg)", "pixel acc.", .. classes.Skip(1).Select(c => $"IoU {c}"),
                    $"recall (>= {options.MinDefectSize} px)", $"precision (>= {options.MinDefectSize} px)", "precision (all components)", "MP/s"],
                [.. results.Select(r => (IReadOnlyList<string>)[r.Encoder, r.Parameters.ToString("N0", CultureInfo.InvariantCulture), r.TrainingSeconds.ToString("F0", CultureInfo.InvariantCulture),
                    F(r.MeanIou), F(r.MeanIouWithBackground), F(r.PixelAccuracy), .. r.Iou.Skip(1).Select(F),
                    $"{F(r.Defects.Recall)} ({r.Defects.Found}/{r.Defects.TrueDefects})", $"{F(r.Defects.Precision)} ({r.Defects.ReportedMatched}/{r.Defects.Reported})", $"{F(r.Defects.RawPrecision)} ({r.Defects.PredictedMatched}/{r.Defects.Predicted})",
                    r.MegapixelsPerSecond.ToString("F3", CultureInfo.InvariantCulture)])],
                "Encoders on the test set", RightAligned: new HashSet<int>(Enumerable.Range(1, 8 + classes.Length))),
        };
        if (options.Crops > 0 && results.Count > 0)
        {
            var figure = Path.Combine(context.RunDirectory, "figures", "overlays.png");
            var crops = GlassFigures.Overlays(context.ResolvePath(options.Test), results.Select(r => (r.Encoder, PredictionFolder(context, r.Encoder))).ToList(), classes.Length, options.Crops, figure);
            blocks.Add(new Heading("Predictions on crops of the test images"));
            blocks.Add(new Figure(figure, $"rows: the image, the truth, then each encoder ({string.Join(", ", results.Select(r => r.Encoder))}); " +
                $"colours: {string.Join(", ", classes.Skip(1).Select((c, i) => $"{c} {GlassFigures.ColourNames[i]}"))}. Crops: {crops}"));
        }
        var document = new ReportDocument("Glass: pixel-wise defect segmentation of line-camera images", blocks);
        return new StudyReport(document, new GlassResults(options.Test, classes, options.MinDefectSize, results));
    }

    static string F(double x) => double.IsNaN(x) ? "-" : x.ToString("F3", CultureInfo.InvariantCulture);
}
