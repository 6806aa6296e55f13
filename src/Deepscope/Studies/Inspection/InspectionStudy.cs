using System.Globalization;
using Deepscope.Reports;
using Deepscope.Training.Metrics;

namespace Deepscope.Studies.Inspection;

/// <summary>One method's figures on the evaluation set.</summary>
public sealed record MethodResult(string Method, string Kind, double Auc, double AucLow, double AucHigh, double AveragePrecision);

/// <summary>What results.json holds.</summary>
public sealed record InspectionResults(string EvaluatedOn, int Images, int Positives, IReadOnlyList<MethodResult> Methods,
    OperatingPoint? AtThreshold, string? Submission, IReadOnlyList<double> ValidationAucs);

/// <summary>
/// The inspection study (the Nexperia contest): a CNN from the model zoo fine-tuned to separate good from bad images
/// (one model, or one per fold), a classical learner on its features, outlier scores fitted on good images only, each
/// scored by ROC AUC with a bootstrap interval on the labelled test folder (else the first fold's validation images); the
/// report shows ROC and precision-recall curves, the confusion matrix at the threshold, the worst-classified and most
/// anomalous images and an embedding of the features; the test folder's probabilities become <c>submission.csv</c>.
/// </summary>
public sealed class InspectionStudy(InspectionOptions options) : IStudy
{
    public const string SubmissionFile = "submission.csv";

    public void Run(StudyContext context)
    {
        if (options.Data.Length == 0) throw new DeepscopeException("the inspection study needs 'data': a folder of class subfolders or a CSV of path,label");
        var stages = new InspectionStages(options, context);
        foreach (var fold in context.MyCells(Enumerable.Range(0, stages.ModelCount))) stages.Classifier(fold);
        if (!context.Shard.Owns(0)) return;
        var evaluation = stages.Evaluation();
        stages.Learner(evaluation);
        _ = stages.Outliers(evaluation).ToList();
        stages.Embedding(evaluation);
        if (evaluation.TestIds.Length > 0)
            InspectionPredictor.WriteSubmission(Path.Combine(context.RunDirectory, SubmissionFile), [.. evaluation.TestIds.Zip(evaluation.TestProbabilities)]);
    }

    public StudyReport Report(StudyContext context)
    {
        var stages = new InspectionStages(options, context);
        var evaluation = stages.Evaluation();
        var methods = new List<MethodScores> { new($"{options.Model} fine-tuned{(options.Tta ? " + TTA" : "")}", "classifier", evaluation.Probabilities) };
        if (stages.Learner(evaluation) is { } learner) methods.Add(learner);
        methods.AddRange(stages.Outliers(evaluation));
        var examples = methods.Select(m => (m.Method, (IReadOnlyList<(double, bool)>)[.. m.Scores.Zip(evaluation.Labels, (s, l) => (s, l == 1))])).ToList();
        var results = methods.Zip(examples, (m, e) =>
        {
            var (low, high) = RocAucMetric.BootstrapInterval(e.Item2, options.Bootstrap, seed: context.Seed);
            return new MethodResult(m.Method, m.Kind, RocAucMetric.MannWhitneyAuc(e.Item2), low, high, BinaryCurves.AveragePrecision(e.Item2));
        }).ToList();

        Directory.CreateDirectory(Path.Combine(context.RunDirectory, "figures"));
        string Figure(string name) => Path.Combine(context.RunDirectory, "figures", name);
        var blocks = new List<ReportBlock>
        {
            new Paragraphs([$"{options.Model} at {options.ImageSize}x{options.ImageSize}, {options.Epochs} epochs, class imbalance: {options.Imbalance.ToString().ToLowerInvariant()}, " +
                $"{(options.Weights is null ? "trained from scratch" : "fine-tuned from pretrained weights")}, {stages.ModelCount} model(s). " +
                $"Evaluated on {evaluation.Ids.Length} {evaluation.SetName} images ({evaluation.Labels.Count(l => l == 1)} '{options.PositiveClass}'). " +
                "AUC is the Mann-Whitney statistic (ties count 1/2) with a stratified percentile bootstrap 95% interval; outlier scores are fitted on good training images only."]),
            new Table(["method", "kind", "ROC AUC", "95% interval", "average precision"],
                [.. results.Select(r => (IReadOnlyList<string>)[r.Method, r.Kind, F(r.Auc), $"{F(r.AucLow)} - {F(r.AucHigh)}", F(r.AveragePrecision)])],
                RightAligned: new HashSet<int> { 2, 3, 4 }),
        };
        InspectionFigures.Curves(examples, Figure("curves.png"));
        blocks.Add(new Figure(Figure("curves.png"), "ROC and precision-recall curves on the evaluation images"));

        var classifier = examples[0].Item2;
        var at = BinaryCurves.At(classifier, options.Threshold);
        string good = stages.Data.Classes[1 - stages.Data.PositiveIndex], bad = options.PositiveClass;
        blocks.Add(new Heading($"Confusion matrix at probability {F(options.Threshold)}"));
        blocks.Add(new Table(["true \\ predicted", good, bad],
            [[good, at.TrueNegatives.ToString(CultureInfo.InvariantCulture), at.FalsePositives.ToString(CultureInfo.InvariantCulture)],
             [bad, at.FalseNegatives.ToString(CultureInfo.InvariantCulture), at.TruePositives.ToString(CultureInfo.InvariantCulture)]],
            $"recall {F(at.Recall)}, precision {F(at.Precision)}, false positive rate {F(at.FalsePositiveRate)}", RightAligned: new HashSet<int> { 1, 2 }));

        if (options.Shown > 0)
        {
            // Worst: the largest gap between label and probability (confident mistakes first).
            var worst = Enumerable.Range(0, evaluation.Ids.Length).OrderByDescending(i => Math.Abs(evaluation.Labels[i] - evaluation.Probabilities[i]))
                .ThenBy(i => evaluation.Ids[i], StringComparer.Ordinal).Take(options.Shown).ToList();
            InspectionFigures.ImageGrid([.. worst.Select(i => evaluation.Files[i])], Figure("worst.png"));
            blocks.Add(new Heading("Worst-classified images"));
            blocks.Add(new Figure(Figure("worst.png"), "row by row: " + string.Join(", ", worst.Select(i =>
                $"{evaluation.Ids[i]} ({(evaluation.Labels[i] == 1 ? bad : good)}, p = {F(evaluation.Probabilities[i])})"))));
            foreach (var outlier in methods.Where(m => m.Kind == "outlier"))
            {
                var top = Enumerable.Range(0, evaluation.Ids.Length).OrderByDescending(i => outlier.Scores[i]).Take(options.Shown).ToList();
                var name = $"anomalous-{Slug(outlier.Method)}.png";
                InspectionFigures.ImageGrid([.. top.Select(i => evaluation.Files[i])], Figure(name));
                blocks.Add(new Heading($"Most anomalous images: {outlier.Method}", 3));
                blocks.Add(new Figure(Figure(name), $"{top.Count(i => evaluation.Labels[i] == 1)} of these {top.Count} are '{bad}': " +
                    string.Join(", ", top.Select(i => evaluation.Ids[i]))));
            }
        }
        if (stages.Embedding(evaluation) is { } embedding)
        {
            blocks.Add(new Heading("Features of the evaluation images"));
            blocks.Add(new Figure(Path.Combine(context.RunDirectory, embedding), $"{options.Embedding} of the CNN's features, coloured by class"));
        }
        var validationAucs = Enumerable.Range(0, stages.ModelCount).Select(f => stages.Classifier(f).ValidationAuc).ToList();
        blocks.Add(new KeyValues([.. validationAucs.Select((a, f) => KeyValuePair.Create($"fold {f + 1} best validation AUC", F(a))),
            .. Enumerable.Range(0, stages.ModelCount).Select(f => KeyValuePair.Create($"fold {f + 1} training seconds", stages.Classifier(f).TrainingSeconds.ToString("F0", CultureInfo.InvariantCulture)))]));
        bool submitted = evaluation.TestIds.Length > 0;
        if (submitted) blocks.Add(new Paragraphs([$"Submission: {SubmissionFile} ({evaluation.TestIds.Length} rows, id,label with the probability of '{bad}')."]));
        var document = new ReportDocument("Semiconductor inspection: good/bad classification and outlier detection", blocks);
        return new StudyReport(document, new InspectionResults(evaluation.SetName, evaluation.Ids.Length, evaluation.Labels.Count(l => l == 1), results, at,
            submitted ? SubmissionFile : null, validationAucs));
    }

    static string F(double x) => x.ToString("F3", CultureInfo.InvariantCulture);
    static string Slug(string text) => new([.. text.ToLowerInvariant().Where(char.IsLetterOrDigit).Take(24)]);
}
