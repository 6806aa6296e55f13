using System.Globalization;
using Deepscope.IO;
using Deepscope.Reports;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Deepscope.Studies.Authentication;

/// <summary>One disputed painting in <c>results.json</c>.</summary>
public sealed record DisputedResult(int Id, string Prediction, double VoteShare, double[]? Interval, double? MeanProbability, string? Truth);

/// <summary>A pipeline's figures in <c>results.json</c>.</summary>
public sealed record PipelineSummary(string Pipeline, string Arm, double LooAccuracy, int Correct, int Total, double? LooAccuracyMeanProbability,
    int? DisputedCorrect, int Disputed);

/// <summary>What <c>results.json</c> holds: the headline pipeline's leave-one-out accuracy and disputed calls, then every pipeline and arm.</summary>
public sealed record AuthenticationResults(string Headline, double LooAccuracy, IReadOnlyList<DisputedResult> Disputed,
    IReadOnlyList<PipelineSummary> Pipelines);

/// <summary>The authentication study's report, from its stored stages: tables, confusion matrix, confound check, heat maps.</summary>
public static class AuthenticationReport
{
    static string F(double v, string format = "F3") => v.ToString(format, CultureInfo.InvariantCulture);
    static string Percent(double v) => v.ToString("P1", CultureInfo.InvariantCulture);

    public static StudyReport Build(AuthenticationStudy study, StudyContext context)
    {
        var paintings = study.Paintings(context);
        var results = study.Cells()
            .Select(c => context.Lookup<PipelineResult>(study.ResultKey(c.Arm, c.Pipeline, paintings, context))?.Value).OfType<PipelineResult>().ToList();
        var summaries = results.Select(r => Summarise(r, study.Options.Threshold)).ToList();
        var blocks = new List<ReportBlock>
        {
            new Paragraphs([$"Leave-one-painting-out over {paintings.Count(p => p.IsLabelled)} labelled paintings ({paintings.Count(p => p.Label == Painting.Raphael)} Raphael, " +
                $"{paintings.Count(p => p.Label == Painting.NotRaphael)} not), {paintings.Count(p => !p.IsLabelled)} disputed; patches of {study.Options.Patches.Size} px " +
                $"({(study.Options.Patches.Grid ? "grid" : $"{study.Options.Patches.Count} random crops")}, the {study.Options.Patches.Keep} of highest variance kept), " +
                $"{(study.Options.Colour ? "colour" : "grey")}, {(study.Options.PixelsPerMm is { } r ? $"resampled to {F(r, "G4")} px/mm" : "at their own resolution")}. " +
                $"A painting is called Raphael when more than {Percent(study.Options.Threshold)} of its patches vote Raphael."]),
            new Heading("Pipelines"),
            new Table(["pipeline", "images", "leave-one-out", "accuracy", "by mean probability", "disputed right"],
                summaries.Select(s => (IReadOnlyList<string>)[s.Pipeline, s.Arm, $"{s.Correct}/{s.Total}", Percent(s.LooAccuracy),
                    s.LooAccuracyMeanProbability is { } m ? Percent(m) : "-", s.DisputedCorrect is { } d ? $"{d}/{s.Disputed}" : "-"]).ToList(),
                RightAligned: new HashSet<int> { 2, 3, 4, 5 }),
            new Paragraphs(["For comparison, the student results on the real folder: scattering + logistic regression 20/21 (95.2%), " +
                "frozen ImageNet ResNet-18 + linear SVM 17/21 (81.0%)."]),
        };
        blocks.AddRange(Confound(study, summaries, paintings));
        var headline = results.FirstOrDefault(r => r.Arm == AuthenticationStudy.Original);
        if (headline is not null) blocks.AddRange(Headline(study, headline, paintings, context));
        blocks.Add(new Heading("Paintings"));
        blocks.Add(PaintingTable(study, paintings, context));
        blocks.Add(new Heading("Configuration"));
        blocks.Add(new Code(context.ConfigText, "yaml"));
        blocks.Add(new KeyValues(StudyHost.Environment(context).ToList(), "environment"));
        var disputed = headline?.Disputed.Select(v => new DisputedResult(v.Id, v.Prediction, v.VoteShare, v.IntervalLow is { } low ? [low, v.IntervalHigh ?? low] : null,
            v.MeanProbability, v.Truth)).ToList() ?? [];
        var document = new ReportDocument($"{context.Name}: authentication of paintings from patches", blocks);
        return new StudyReport(document, new AuthenticationResults(headline?.Pipeline ?? "", headline?.LooAccuracy ?? double.NaN, disputed, summaries));
    }

    static PipelineSummary Summarise(PipelineResult r, double threshold)
    {
        var (correct, total, byProbability) = PaintingVotes.Accuracy(r.LeaveOneOut, threshold);
        var known = r.Disputed.Where(v => v.Correct is not null).ToList();
        return new PipelineSummary(r.Pipeline, r.Arm, r.LooAccuracy, correct, total, byProbability is { } b ? (double)b / total : null,
            known.Count == 0 ? null : known.Count(v => v.Correct == true), r.Disputed.Count);
    }

    static IEnumerable<ReportBlock> Confound(AuthenticationStudy study, IReadOnlyList<PipelineSummary> summaries, IReadOnlyList<Painting> paintings)
    {
        if (study.Arms.Count < 2) yield break;
        var labelled = paintings.Where(p => p.IsLabelled).ToList();
        double chance = labelled.Count == 0 ? 0 : (double)Math.Max(labelled.Count(p => p.Label == Painting.Raphael), labelled.Count(p => p.Label == Painting.NotRaphael)) / labelled.Count;
        yield return new Heading("Confound check: every painting re-encoded the same way");
        var lines = new List<string>();
        foreach (var original in summaries.Where(s => s.Arm == AuthenticationStudy.Original))
        {
            if (summaries.FirstOrDefault(s => s.Pipeline == original.Pipeline && s.Arm != AuthenticationStudy.Original) is not { } reencoded) continue;
            double drop = original.LooAccuracy - reencoded.LooAccuracy;
            string verdict = drop > 0.1 ? "accuracy does NOT survive: the classifier leans on how the files were encoded, not only on the hand"
                : original.LooAccuracy <= chance + 0.1 ? $"no better than always calling the larger class ({Percent(chance)}) either way: nothing for the format to explain"
                : "accuracy survives: the file format and bit depth are not what it learned";
            lines.Add($"{original.Pipeline}: {original.Correct}/{original.Total} as the files are, {reencoded.Correct}/{reencoded.Total} " +
                $"when all are {reencoded.Arm} ({verdict}).");
        }
        yield return new Paragraphs(["Formats line up with the labels in the real folder (every non-Raphael image is a JPEG, most Raphael ones " +
            "TIFF), so a classifier can score well by recognising the format. Each painting is decoded, re-encoded as an 8-bit JPEG of one quality " +
            "(band by band, on the file's own pixel grid) and evaluated again.", .. lines]);
    }

    static IEnumerable<ReportBlock> Headline(AuthenticationStudy study, PipelineResult result, IReadOnlyList<Painting> paintings, StudyContext context)
    {
        yield return new Heading($"Leave one painting out: {result.Pipeline}");
        yield return new Table(["painting", "label", "Raphael votes", "mean probability", "call", "right"],
            result.LeaveOneOut.Select(v => (IReadOnlyList<string>)[v.Id.ToString(CultureInfo.InvariantCulture), v.Label, Percent(v.VoteShare),
                v.MeanProbability is { } m ? F(m) : "-", v.Prediction, v.Correct == true ? "yes" : "NO"]).ToList(),
            RightAligned: new HashSet<int> { 0, 2, 3 });
        int Count(string label, string call) => result.LeaveOneOut.Count(v => v.Label == label && v.Prediction == call);
        yield return new Table(["true \\ called", "raphael", "not-raphael"],
            [[Painting.Raphael, Count(Painting.Raphael, Painting.Raphael).ToString(), Count(Painting.Raphael, Painting.NotRaphael).ToString()],
             [Painting.NotRaphael, Count(Painting.NotRaphael, Painting.Raphael).ToString(), Count(Painting.NotRaphael, Painting.NotRaphael).ToString()]],
            "leave-one-out confusion matrix (paintings)", RightAligned: new HashSet<int> { 1, 2 });
        yield return new Heading("Disputed paintings");
        bool truth = result.Disputed.Any(v => v.Truth is not null);
        yield return new Table(["painting", "call", "Raphael votes", "95% interval (bootstrap over patches)", "mean probability", .. truth ? new[] { "known answer" } : []],
            result.Disputed.Select(v => (IReadOnlyList<string>)[v.Id.ToString(CultureInfo.InvariantCulture), v.Prediction, Percent(v.VoteShare),
                v.IntervalLow is { } lo ? $"{Percent(lo)} - {Percent(v.IntervalHigh ?? lo)}" : "-", v.MeanProbability is { } m ? F(m) : "-",
                .. truth ? new[] { v.Truth ?? "-" } : []]).ToList(), "a model on every labelled painting calls each disputed one",
            RightAligned: new HashSet<int> { 0, 2, 3, 4 });
        yield return new Heading("Heat maps: each patch's Raphael score over the painting");
        foreach (var vote in result.LeaveOneOut.Concat(result.Disputed).OrderBy(v => v.Id))
        {
            var painting = paintings.First(p => p.Id == vote.Id);
            var record = context.Lookup<PatchRecord>(study.PatchesKey(AuthenticationStudy.Original, painting, context))?.Value;
            var thumbnail = study.ThumbnailFile(AuthenticationStudy.Original, painting, context);
            if (record is null || !File.Exists(thumbnail)) continue;
            var name = Path.Combine("figures", $"heatmap-{vote.Id}.png");
            HeatMap(thumbnail, record, vote.PatchScores, Path.Combine(context.RunDirectory, name));
            string held = vote.Label == Painting.Disputed ? "disputed" : $"{vote.Label}, held out";
            yield return new Figure(name, $"painting {vote.Id} ({held}): called {vote.Prediction}, {Percent(vote.VoteShare)} of patches vote Raphael " +
                "(red: Raphael, blue: not)", $"heat map of painting {vote.Id}");
        }
    }

    static Table PaintingTable(AuthenticationStudy study, IReadOnlyList<Painting> paintings, StudyContext context)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var painting in paintings)
        {
            var record = context.Lookup<PatchRecord>(study.PatchesKey(AuthenticationStudy.Original, painting, context))?.Value;
            rows.Add([painting.Id.ToString(CultureInfo.InvariantCulture), painting.FileName, painting.Label, record?.Format ?? "-",
                record is null ? "-" : $"{record.Bits}", record is null ? "-" : $"{record.Samples}", record is null ? "-" : F(record.Scale),
                record is null ? "-" : $"{record.Width}x{record.Height}", record?.Positions.Length.ToString(CultureInfo.InvariantCulture) ?? "-"]);
        }
        return new Table(["id", "file", "label", "format", "bits", "samples", "scale", "resampled", "patches"], rows,
            "the files as read: format and bit depth beside the label show the confound", RightAligned: new HashSet<int> { 0, 4, 5, 6, 8 });
    }

    /// <summary>The painting's thumbnail in grey with each pixel tinted by the mean score of the patches covering it.</summary>
    static void HeatMap(string thumbnailFile, PatchRecord record, double[] scores, string path)
    {
        using var thumbnail = Npy.Read(thumbnailFile);
        var pixels = thumbnail.data<float>().ToArray();
        int c = (int)thumbnail.shape[0], h = (int)thumbnail.shape[1], w = (int)thumbnail.shape[2], plane = h * w;
        var sum = new double[plane];
        var count = new int[plane];
        double scale = (double)h / record.Height;
        for (int k = 0; k < record.Positions.Length && k < scores.Length; k++)
        {
            int top = (int)(record.Positions[k][0] * scale), left = (int)(record.Positions[k][1] * scale);
            int side = Math.Max(1, (int)Math.Round(record.PatchSize * scale));
            for (int y = top; y < Math.Min(h, top + side); y++)
                for (int x = left; x < Math.Min(w, left + side); x++)
                {
                    sum[y * w + x] += scores[k];
                    count[y * w + x]++;
                }
        }
        using var image = new Image<Rgb24>(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float grey = c == 1 ? pixels[i] : 0.299f * pixels[i] + 0.587f * pixels[plane + i] + 0.114f * pixels[2 * plane + i];
                float r = grey, g = grey, b = grey;
                if (count[i] > 0)
                {
                    float s = (float)(sum[i] / count[i]);
                    (r, g, b) = (0.45f * grey + 0.55f * s, 0.45f * grey + 0.55f * 0.15f, 0.45f * grey + 0.55f * (1 - s));
                }
                image[x, y] = new Rgb24((byte)(Math.Clamp(r, 0, 1) * 255), (byte)(Math.Clamp(g, 0, 1) * 255), (byte)(Math.Clamp(b, 0, 1) * 255));
            }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, stream => image.SaveAsPng(stream));
    }
}
