using System.Globalization;
using System.Net;
using System.Text;

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
/// Writes an experiment's report as self-contained HTML (images embedded, no external resources) and as Markdown
/// (images linked relative to the report). Both carry the same tables and the same generated summary.
/// </summary>
public static class ExperimentReport
{
    public static void Write(ReportContent content, string directory)
    {
        Directory.CreateDirectory(directory);
        IO.AtomicFile.WriteAllText(Path.Combine(directory, "report.html"), Html(content));
        IO.AtomicFile.WriteAllText(Path.Combine(directory, "report.md"), Markdown(content, directory));
    }

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
                lines.Add($"The CNN {f.Feature} ({f.FineTune!.Epochs} epochs) reaches {Percent(f.TestAccuracy)} ({Seconds(f.FitSeconds)} of training)" +
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

    static string Html(ReportContent c)
    {
        var h = new StringBuilder();
        h.Append($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(c.Title)}}</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;color:#222;padding:0 1rem}
            h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
            table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}
            th{background:#f3f3f3}td.l,th.l{text-align:left}td.best{background:#d9f2d9;font-weight:bold}
            .figs{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(460px,100%),1fr));gap:1rem}.figs figure{margin:0}
            .figs img{width:100%;border:1px solid #ddd}figcaption{font-size:.85rem;color:#555}
            pre{background:#f7f7f7;padding:.75rem;overflow:auto;font-size:.8rem}.cm td{min-width:2.5rem}
            </style></head><body>
            <h1>{{E(c.Title)}}</h1>
            """);
        h.Append("<h2>Summary</h2><ul>");
        foreach (var line in Summary(c.Results)) h.Append($"<li>{E(line)}</li>");
        h.Append("</ul>");

        foreach (var all in c.Results.GroupBy(r => r.Dataset))
        {
            var best = Best(all).Single();
            var dataset = all.Where(r => r.FineTune is null).ToList();
            var learners = dataset.Select(r => r.Learner).Distinct().ToList();
            h.Append($"<h2>Test accuracy on {E(all.Key)}</h2><table><tr><th class=\"l\">features \\ learner</th>");
            foreach (var l in learners) h.Append($"<th>{E(l)}</th>");
            h.Append("</tr>");
            foreach (var feature in dataset.GroupBy(r => r.Feature))
            {
                h.Append($"<tr><td class=\"l\">{E(feature.Key)}</td>");
                foreach (var l in learners)
                {
                    var r = feature.FirstOrDefault(x => x.Learner == l);
                    h.Append(r == null ? "<td>–</td>" : $"<td{(r == best ? " class=\"best\"" : "")} title=\"{E(Params(r))}\">{Percent(r.TestAccuracy)}</td>");
                }
                h.Append("</tr>");
            }
            h.Append("</table><p>Best marked in green; hover a cell for the chosen parameters.</p>");
            var fineTuned = all.Where(r => r.FineTune is not null).ToList();
            if (fineTuned.Count > 0)
            {
                h.Append($"<h2>Fine-tuning on {E(all.Key)}</h2><table><tr><th class=\"l\">model</th><th class=\"l\">weights</th><th class=\"l\">parameters</th>" +
                         "<th>test acc. per epoch</th><th>test acc.</th><th>training s</th></tr>");
                foreach (var f in fineTuned)
                    h.Append($"<tr><td class=\"l\">{E(f.Feature)}</td><td class=\"l\">{E(Weights(f.FineTune!))}</td><td class=\"l\">{E(Params(f))}</td>" +
                             $"<td>{E(string.Join(", ", f.FineTune!.EpochTestAccuracy.Select(Percent)))}</td><td{(f == best ? " class=\"best\"" : "")}>{Percent(f.TestAccuracy)}</td><td>{f.FitSeconds:F1}</td></tr>");
                h.Append("</table><p>Test accuracy of the final weights after the last epoch; the per-epoch figures are for information, not model selection.</p>");
            }
            h.Append($"<h2>Best on {E(all.Key)}: {E(Name(best))}</h2>");
            h.Append("<table><tr><th class=\"l\">class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>");
            foreach (var s in best.PerClass)
                h.Append($"<tr><td class=\"l\">{E(s.Class)}</td><td>{s.Precision:F3}</td><td>{s.Recall:F3}</td><td>{s.F1:F3}</td><td>{s.Support}</td></tr>");
            h.Append("</table><p>Confusion matrix (rows: true class, columns: predicted):</p><table class=\"cm\"><tr><th></th>");
            foreach (var s in best.PerClass) h.Append($"<th>{E(s.Class)}</th>");
            h.Append("</tr>");
            for (int i = 0; i < best.ConfusionMatrix.Length; i++)
            {
                h.Append($"<tr><th class=\"l\">{E(best.PerClass.ElementAtOrDefault(i)?.Class ?? i.ToString(CultureInfo.InvariantCulture))}</th>");
                foreach (var v in best.ConfusionMatrix[i]) h.Append($"<td>{v}</td>");
                h.Append("</tr>");
            }
            h.Append("</table>");
        }

        if (c.Figures.Count > 0)
        {
            h.Append("<h2>Embeddings</h2><div class=\"figs\">");
            foreach (var f in c.Figures)
                h.Append($"<figure><img alt=\"{E(f.Method)} of {E(f.Feature)}\" src=\"data:{Mime(f.ImagePath)};base64,{Convert.ToBase64String(File.ReadAllBytes(f.ImagePath))}\">" +
                         $"<figcaption>{E(f.Dataset)}: {E(f.Method)} of {E(f.Feature)}{(f.Trustworthiness is { } t ? $", trustworthiness {t:F3}" : "")}</figcaption></figure>");
            h.Append("</div>");
        }

        h.Append("<h2>Timings</h2><table><tr><th class=\"l\">stage</th><th>seconds</th><th class=\"l\">note</th></tr>");
        foreach (var t in c.Timings) h.Append($"<tr><td class=\"l\">{E(t.Stage)}</td><td>{t.Seconds:F2}</td><td class=\"l\">{(t.FromCache ? "from cache" : "")}</td></tr>");
        h.Append("</table><h2>All results</h2><table><tr><th class=\"l\">dataset</th><th class=\"l\">features</th><th class=\"l\">learner</th><th class=\"l\">parameters</th><th>test acc.</th><th>CV acc.</th><th>fit s</th><th>predict s</th></tr>");
        foreach (var r in c.Results)
            h.Append($"<tr><td class=\"l\">{E(r.Dataset)}</td><td class=\"l\">{E(r.Feature)}</td><td class=\"l\">{E(r.Learner)}</td><td class=\"l\">{E(Params(r))}</td><td>{Percent(r.TestAccuracy)}</td><td>{(r.CrossValidationAccuracy is { } cv ? Percent(cv) : "–")}</td><td>{r.FitSeconds:F2}</td><td>{r.PredictSeconds:F2}</td></tr>");
        h.Append("</table><h2>Run</h2><table>");
        foreach (var (k, v) in c.Environment) h.Append($"<tr><td class=\"l\">{E(k)}</td><td class=\"l\">{E(v)}</td></tr>");
        h.Append($"</table><pre>{E(c.ConfigText)}</pre></body></html>\n");
        return h.ToString();
    }

    static string Markdown(ReportContent c, string directory)
    {
        var m = new StringBuilder($"# {c.Title}\n\n## Summary\n\n");
        foreach (var line in Summary(c.Results)) m.Append($"- {line}\n");
        foreach (var all in c.Results.GroupBy(r => r.Dataset))
        {
            var best = Best(all).Single();
            var dataset = all.Where(r => r.FineTune is null).ToList();
            var learners = dataset.Select(r => r.Learner).Distinct().ToList();
            m.Append($"\n## Test accuracy on {all.Key}\n\n| features \\ learner | {string.Join(" | ", learners)} |\n|---|{string.Concat(learners.Select(_ => "---:|"))}\n");
            foreach (var feature in dataset.GroupBy(r => r.Feature))
                m.Append($"| {feature.Key} | {string.Join(" | ", learners.Select(l => feature.FirstOrDefault(x => x.Learner == l) is { } r ? (r == best ? $"**{Percent(r.TestAccuracy)}**" : Percent(r.TestAccuracy)) : "–"))} |\n");
            var fineTuned = all.Where(r => r.FineTune is not null).ToList();
            if (fineTuned.Count > 0)
            {
                m.Append($"\n## Fine-tuning on {all.Key}\n\n| model | weights | parameters | test acc. per epoch | test acc. | training s |\n|---|---|---|---|---:|---:|\n");
                foreach (var f in fineTuned)
                    m.Append($"| {f.Feature} | {Weights(f.FineTune!)} | {Params(f)} | {string.Join(", ", f.FineTune!.EpochTestAccuracy.Select(Percent))} | " +
                             $"{(f == best ? $"**{Percent(f.TestAccuracy)}**" : Percent(f.TestAccuracy))} | {f.FitSeconds:F1} |\n");
            }
            m.Append($"\nBest: **{Name(best)}** ({Params(best)}).\n\n| class | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|\n");
            foreach (var s in best.PerClass) m.Append($"| {s.Class} | {s.Precision:F3} | {s.Recall:F3} | {s.F1:F3} | {s.Support} |\n");
        }
        if (c.Figures.Count > 0)
        {
            m.Append("\n## Embeddings\n\n");
            foreach (var f in c.Figures)
                m.Append($"![{f.Method} of {f.Feature}]({Path.GetRelativePath(directory, f.ImagePath).Replace('\\', '/')})\n");
        }
        m.Append("\n## Timings\n\n| stage | seconds |\n|---|---:|\n");
        foreach (var t in c.Timings) m.Append($"| {t.Stage}{(t.FromCache ? " (cache)" : "")} | {t.Seconds:F2} |\n");
        m.Append("\n## Run\n\n");
        foreach (var (k, v) in c.Environment) m.Append($"- {k}: {v}\n");
        m.Append($"\n```yaml\n{c.ConfigText.TrimEnd()}\n```\n");
        return m.ToString();
    }

    static string Name(LearnerResult r) => r.FineTune is null ? $"{r.Feature} + {r.Learner}" : $"the CNN {r.Feature}";

    static string Weights(FineTuneDetails f) => f.Weights is null ? "none (from scratch)" : Path.GetFileName(f.Weights);

    static string Params(LearnerResult r) =>
        r.Params.Count == 0 ? "defaults" : string.Join(", ", r.Params.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    static string Percent(double fraction) => (100 * fraction).ToString("F2", CultureInfo.InvariantCulture) + "%";
    static string Seconds(double s) => s.ToString("F2", CultureInfo.InvariantCulture) + " s";
    static string E(string text) => WebUtility.HtmlEncode(text);
    static string Mime(string path) => Path.GetExtension(path).ToLowerInvariant() == ".svg" ? "image/svg+xml" : "image/png";
}
