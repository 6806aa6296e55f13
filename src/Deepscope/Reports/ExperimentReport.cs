using System.Globalization;

namespace Deepscope.Reports;

/// <summary>Per-class scores of one classifier on the test split.</summary>
public sealed record ClassScore(string Class, double Precision, double Recall, double F1, long Support);

/// <summary>
/// One feature x learner result of an experiment, or (with <see cref="FineTune"/>) a CNN fine-tuned on the images, whose
/// <see cref="Feature"/> names the model and mode and whose <see cref="FitSeconds"/> is its training time.
/// </summary>
public sealed record LearnerResult(
    string Dataset, string Feature, string Learner, IReadOnlyDictionary<string, string> Params,
    double TestAccuracy, double? CrossValidationAccuracy, double FitSeconds, double PredictSeconds,
    long[][] ConfusionMatrix, IReadOnlyList<ClassScore> PerClass, FineTuneDetails? FineTune = null);

/// <summary>How a fine-tuned result was trained: model, mode, pretrained weights (null: from scratch), test accuracy per epoch.</summary>
public sealed record FineTuneDetails(string Model, string Mode, string? Weights, int Epochs, IReadOnlyList<double> EpochTestAccuracy, string RunDirectory);

/// <summary>An embedding plot of one feature set.</summary>
public sealed record EmbeddingFigure(string Dataset, string Feature, string Method, string ImagePath, double? Trustworthiness);

/// <summary>Wall time of a stage of the run.</summary>
public sealed record StageTiming(string Stage, double Seconds, bool FromCache = false);

/// <summary>Everything a report shows.</summary>
public sealed record ReportContent(
    string Title, string ConfigText, IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<LearnerResult> Results, IReadOnlyList<EmbeddingFigure> Figures, IReadOnlyList<StageTiming> Timings);

/// <summary>
/// The report of a features x learners experiment (Project 1) as a <see cref="ReportDocument"/>: summary, accuracy
/// tables, fine-tuning, the best result's per-class scores and confusion matrix, embeddings, timings, environment and
/// configuration; written as HTML, Markdown and a notebook by <see cref="ReportWriter"/>.
/// </summary>
public static class ExperimentReport
{
    public static void Write(ReportContent content, string directory) =>
        ReportWriter.Write(Document(content, directory), directory);

    /// <summary>The best result per dataset (learner or fine-tune): highest test accuracy, ties to the faster fit.</summary>
    public static IEnumerable<LearnerResult> Best(IEnumerable<LearnerResult> results) =>
        results.GroupBy(r => r.Dataset).Select(g => g.OrderByDescending(r => r.TestAccuracy).ThenBy(r => r.FitSeconds).First());

    /// <summary>
    /// Plain-language findings: the winner, the best learner per feature, the best feature per learner, and how
    /// fine-tuning compares with the best feature + learner pair.
    /// </summary>
    public static IReadOnlyList<string> Summary(IReadOnlyList<LearnerResult> results)
    {
        var lines = new List<string>();
        foreach (var all in results.GroupBy(r => r.Dataset))
        {
            var best = Best(all).Single();
            lines.Add($"On {all.Key}, the best {(best.FineTune is null ? "pair" : "result")} is {Name(best)} with {Percent(best.TestAccuracy)} test accuracy " +
                      $"({Percent(1 - best.TestAccuracy)} error).");
            var dataset = all.Where(r => r.FineTune is null).ToList();
            var bestPair = Best(dataset).SingleOrDefault();
            foreach (var f in all.Where(r => r.FineTune is not null))
                lines.Add($"The CNN {f.Feature} ({f.FineTune!.Epochs} epoch{(f.FineTune.Epochs == 1 ? "" : "s")}) reaches {Percent(f.TestAccuracy)} ({Seconds(f.FitSeconds)} of training)" +
                          (bestPair is null ? "." : $", vs {Percent(bestPair.TestAccuracy)} for the best feature + learner pair ({Name(bestPair)}, {Seconds(bestPair.FitSeconds)} to fit)."));
            if (bestPair is null) continue;
            var byFeature = dataset.GroupBy(r => r.Feature)
                .Select(g => (Feature: g.Key, Mean: g.Average(r => r.TestAccuracy), Top: g.Max(r => r.TestAccuracy)))
                .OrderByDescending(f => f.Mean).ToList();
            if (byFeature.Count > 1)
                lines.Add($"Averaged over learners, features rank: {string.Join(" > ", byFeature.Select(f => $"{f.Feature} ({Percent(f.Mean)})"))}.");
            var byLearner = dataset.GroupBy(r => r.Learner)
                .Select(g => (Learner: g.Key, Mean: g.Average(r => r.TestAccuracy))).OrderByDescending(l => l.Mean).ToList();
            if (byLearner.Count > 1)
                lines.Add($"Averaged over features, learners rank: {string.Join(" > ", byLearner.Select(l => $"{l.Learner} ({Percent(l.Mean)})"))}.");
            var fastest = dataset.OrderBy(r => r.FitSeconds + r.PredictSeconds).First();
            if (fastest != bestPair)
                lines.Add($"Fastest to fit and predict: {fastest.Feature} + {fastest.Learner} ({Seconds(fastest.FitSeconds + fastest.PredictSeconds)}, {Percent(fastest.TestAccuracy)}).");
        }
        return lines;
    }

    /// <summary>The report's blocks, figure paths made relative to <paramref name="runDirectory"/>; a study may append its own.</summary>
    public static ReportDocument Document(ReportContent content, string runDirectory)
    {
        var blocks = new List<ReportBlock> { new Heading("Summary"), new Bullets(Summary(content.Results)) };
        foreach (var dataset in content.Results.GroupBy(r => r.Dataset)) blocks.AddRange(DatasetSections(dataset.Key, dataset.ToList()));
        if (content.Figures.Count > 0)
        {
            blocks.Add(new Heading("Embeddings"));
            blocks.AddRange(content.Figures.Select(f => new Figure(Path.GetRelativePath(runDirectory, Path.GetFullPath(f.ImagePath)),
                $"{f.Dataset}: {f.Method} of {f.Feature}{(f.Trustworthiness is { } t ? $", trustworthiness {Fixed(t, 3)}" : "")}", $"{f.Method} of {f.Feature}")));
        }
        if (content.Timings.Count > 0)
            blocks.AddRange(new Heading("Timings"), new Table(["stage", "seconds", "note"],
                content.Timings.Select(t => Row(t.Stage, Fixed(t.Seconds, 2), t.FromCache ? "from cache" : "")).ToList(), RightAligned: Set(1)));
        blocks.AddRange(new Heading("All results"), new Table(
            ["dataset", "features", "learner", "parameters", "test acc.", "CV acc.", "fit s", "predict s"],
            content.Results.Select(r => Row(r.Dataset, r.Feature, r.Learner, Params(r), Percent(r.TestAccuracy),
                r.CrossValidationAccuracy is { } cv ? Percent(cv) : "–", Fixed(r.FitSeconds, 2), Fixed(r.PredictSeconds, 2))).ToList(),
            RightAligned: Set(4, 5, 6, 7)));
        blocks.AddRange(new Heading("Run"), new KeyValues(content.Environment.ToList()));
        if (content.ConfigText.Length > 0) blocks.Add(new Code(content.ConfigText, "yaml"));
        return new ReportDocument(content.Title, blocks);
    }

    /// <summary>One dataset: the features x learners grid, the fine-tuned models, and the best result in detail.</summary>
    static IEnumerable<ReportBlock> DatasetSections(string dataset, IReadOnlyList<LearnerResult> all)
    {
        var best = Best(all).Single();
        var pairs = all.Where(r => r.FineTune is null).ToList();
        var learners = pairs.Select(r => r.Learner).Distinct().ToList();
        var features = pairs.GroupBy(r => r.Feature).ToList();
        var grid = features.Select(f => learners.Select(l => f.FirstOrDefault(r => r.Learner == l)).ToList()).ToList();
        if (pairs.Count > 0)
        {
            yield return new Heading($"Test accuracy on {dataset}");
            yield return new Table(["features \\ learner", .. learners],
                features.Select((f, i) => Row([f.Key, .. grid[i].Select(r => r is null ? "–" : Percent(r.TestAccuracy))])).ToList(),
                "The best result is highlighted; hover a cell for the chosen parameters.", Set([.. Enumerable.Range(1, learners.Count)]),
                Cells(grid, r => r == best).ToHashSet(),
                Cells(grid, r => r is not null).ToDictionary(cell => cell, cell => Params(grid[cell.Row][cell.Column - 1]!)));
        }

        var fineTuned = all.Where(r => r.FineTune is not null).ToList();
        if (fineTuned.Count > 0)
        {
            yield return new Heading($"Fine-tuning on {dataset}");
            yield return new Table(["model", "weights", "parameters", "test acc. per epoch", "test acc.", "training s"],
                fineTuned.Select(f => Row(f.Feature, Weights(f.FineTune!), Params(f), string.Join(", ", f.FineTune!.EpochTestAccuracy.Select(Percent)),
                    Percent(f.TestAccuracy), Fixed(f.FitSeconds, 1))).ToList(),
                "Test accuracy of the final weights after the last epoch; the per-epoch figures are for information, not model selection.",
                Set(3, 4, 5), fineTuned.IndexOf(best) is >= 0 and var row ? new HashSet<(int, int)> { (row, 4) } : null);
        }

        yield return new Heading($"Best on {dataset}: {Name(best)}");
        yield return new Paragraphs([$"Parameters: {Params(best)}."]);
        yield return new Table(["class", "precision", "recall", "F1", "support"],
            best.PerClass.Select(s => Row(s.Class, Fixed(s.Precision, 3), Fixed(s.Recall, 3), Fixed(s.F1, 3), s.Support.ToString(CultureInfo.InvariantCulture))).ToList(),
            RightAligned: Set(1, 2, 3, 4));
        var classes = best.ConfusionMatrix.Select((_, i) => best.PerClass.ElementAtOrDefault(i)?.Class ?? i.ToString(CultureInfo.InvariantCulture)).ToList();
        yield return new Table(["true \\ predicted", .. classes],
            best.ConfusionMatrix.Select((counts, i) => Row([classes[i], .. counts.Select(v => v.ToString(CultureInfo.InvariantCulture))])).ToList(),
            "Confusion matrix: rows are the true classes, columns the predicted ones.", Set([.. Enumerable.Range(1, classes.Count)]));
    }

    /// <summary>The (row, column) of each grid cell that matches, columns counted after the row-label column.</summary>
    static IEnumerable<(int Row, int Column)> Cells(List<List<LearnerResult?>> grid, Func<LearnerResult?, bool> match) =>
        grid.SelectMany((row, r) => row.Select((result, c) => (result, cell: (r, c + 1)))).Where(x => match(x.result)).Select(x => x.cell);

    static IReadOnlyList<string> Row(params string[] cells) => cells;
    static IReadOnlySet<int> Set(params int[] columns) => columns.ToHashSet();

    static string Name(LearnerResult r) => r.FineTune is null ? $"{r.Feature} + {r.Learner}" : $"the CNN {r.Feature}";

    static string Weights(FineTuneDetails f) => f.Weights is null ? "none (from scratch)" : Path.GetFileName(f.Weights);

    static string Params(LearnerResult r) =>
        r.Params.Count == 0 ? "defaults" : string.Join(", ", r.Params.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    static string Percent(double fraction) => Fixed(100 * fraction, 2) + "%";
    static string Seconds(double s) => Fixed(s, 2) + " s";
    static string Fixed(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
