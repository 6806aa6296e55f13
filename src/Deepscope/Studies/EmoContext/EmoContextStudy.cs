using System.Globalization;
using Deepscope.Reports;
using Deepscope.Text;

namespace Deepscope.Studies.EmoContext;

/// <summary>A misclassified dev dialogue.</summary>
public sealed record ErrorExample(string Id, IReadOnlyList<string> Turns, string Truth, string Predicted);

/// <summary>One model's stage: its run's summary (official dev metrics, curves, timings) and some of its errors.</summary>
public sealed record EmoContextResult(string Model, string RunFolder, TextRunSummary Summary, IReadOnlyList<ErrorExample> Errors);

/// <summary>
/// Contextual emotion detection (EmoContext, SemEval-2019 Task 3): each model trained on train.txt and tuned on
/// dev.txt as <c>deepscope text train</c> does (one stage per model, its run folder kept as the stage's artifact), then a
/// report of the official dev metrics before and after the prior-shift calibration, per-class F1, confusion matrices,
/// dev curves and misclassified examples.
/// </summary>
public sealed class EmoContextStudy(EmoContextOptions options) : IStudy
{
    StageKey Key(string model, StudyContext context) => new("emocontext-model", new { Data = DataFolder(context), Training = Training(model, context) });

    TextTrainingOptions Training(string model, StudyContext context) => options.Training with { Model = model, Seed = context.Seed };

    string DataFolder(StudyContext context)
    {
        var beside = context.ResolvePath(options.Data);
        return Directory.Exists(beside) ? beside : Path.GetFullPath(Path.Combine(context.DataDirectory, options.Data));
    }

    public void Run(StudyContext context)
    {
        foreach (var model in options.Models) TextModelKind.Get(model);  // unknown names fail before any work
        foreach (var model in context.MyCells(options.Models))
        {
            var key = Key(model, context);
            context.Stage(key, $"{model} on EmoContext", () =>
            {
                var data = DataFolder(context);
                var folder = context.Stages.ArtifactFolder(key, model);
                var record = TextTraining.Train(Training(model, context), Path.Combine(data, "train.txt"), Path.Combine(data, "dev.txt"), folder, context.Progress);
                return new EmoContextResult(model, folder, record.Summary, Errors(Path.Combine(data, "dev.txt"), Path.Combine(folder, TextRun.DevPredictionsFile)));
            });
        }
    }

    /// <summary>The first misclassified dev dialogues of each kind of error, in file order, round-robin over the kinds.</summary>
    List<ErrorExample> Errors(string devPath, string predictionsPath)
    {
        var dev = EmoContextFile.Read(devPath).Dialogues;
        var predicted = EmoContextFile.Read(predictionsPath).Dialogues;
        var errors = dev.Zip(predicted).Where(p => p.First.Label != p.Second.Label)
            .Select(p => new ErrorExample(p.First.Id, p.First.Turns, p.First.Label!, p.Second.Label!))
            .GroupBy(e => (e.Truth, e.Predicted)).OrderBy(g => g.Key.Truth, StringComparer.Ordinal).ThenBy(g => g.Key.Predicted, StringComparer.Ordinal).ToList();
        var picked = new List<ErrorExample>();
        for (int round = 0; picked.Count < options.ErrorExamples && errors.Any(g => g.Count() > round); round++)
            foreach (var group in errors)
                if (group.Count() > round && picked.Count < options.ErrorExamples) picked.Add(group.ElementAt(round));
        return picked;
    }

    public StudyReport Report(StudyContext context)
    {
        var results = options.Models.Select(m => context.Lookup<EmoContextResult>(Key(m, context))?.Value).OfType<EmoContextResult>().ToList();
        var blocks = new List<ReportBlock>
        {
            new Paragraphs([
                "Official metric of SemEval-2019 Task 3: micro-averaged precision, recall and F1 over happy, sad and angry (others left out); " +
                "macro F1 is the harmonic mean of the macro precision and recall. Models are trained on train.txt and tuned on dev.txt " +
                "(best epoch by dev micro-F1; decision offsets for the test prior calibrated on dev by the 'calibration' option), so dev figures are optimistic. " +
                "For scale, on the test set: the organisers' baseline about 0.59, the winning system 0.7959.",
            ]),
            new Heading("Dev scores"),
            new Table(["model", "micro-F1 (argmax)", "micro P", "micro R", "micro-F1", "macro-F1", "best epoch", "train s", "dialogues/s"],
                [.. results.Select(r => (IReadOnlyList<string>)[r.Model, F(r.Summary.DevRaw.MicroF1), F(r.Summary.DevCalibrated.MicroPrecision),
                    F(r.Summary.DevCalibrated.MicroRecall), F(r.Summary.DevCalibrated.MicroF1), F(r.Summary.DevCalibrated.MacroF1),
                    r.Summary.BestEpoch.ToString(CultureInfo.InvariantCulture), r.Summary.TrainingSeconds.ToString("F0", CultureInfo.InvariantCulture),
                    r.Summary.SequencesPerSecond.ToString("F0", CultureInfo.InvariantCulture)])],
                Caption: $"micro P/R/F1 and macro-F1 after the '{options.Training.Calibration.ToString().ToLowerInvariant()}' calibration", RightAligned: new HashSet<int> { 1, 2, 3, 4, 5, 6, 7, 8 }),
            new Heading("Per-class F1 (calibrated)"),
            new Table(["model", .. EmoContextFile.Classes.Skip(1), "offsets (others, happy, sad, angry)"],
                [.. results.Select(r => (IReadOnlyList<string>)[r.Model, .. Enumerable.Range(1, 3).Select(c => F(r.Summary.DevCalibrated.F1[c])),
                    string.Join(", ", r.Summary.Offsets.Select(o => o.ToString("F2", CultureInfo.InvariantCulture)))])]),
        };
        foreach (var r in results)
        {
            blocks.Add(new Heading(r.Model));
            blocks.Add(new Table(["true \\ predicted", .. EmoContextFile.Classes],
                [.. EmoContextFile.Classes.Select((name, t) => (IReadOnlyList<string>)[name, .. r.Summary.DevConfusion[t].Select(v => v.ToString(CultureInfo.InvariantCulture))])],
                Caption: "dev confusion matrix (calibrated)"));
            if (r.Summary.History.Count > 0)
            {
                blocks.Add(new Table(["epoch", "train loss", "dev loss", "dev accuracy", "dev micro-F1 (argmax)"],
                    [.. r.Summary.History.Select(h => (IReadOnlyList<string>)[h.Epoch.ToString(CultureInfo.InvariantCulture), F(h.TrainLoss),
                        F(h.EvalLoss ?? double.NaN), F(h.EvalAccuracy ?? double.NaN), F(h.Metric("eval_micro_f1") ?? double.NaN)])], Caption: "dev curves"));
                var curves = Path.Combine(r.RunFolder, Deepscope.Training.TrainingLog.CurvesPng);
                if (File.Exists(curves)) blocks.Add(new Figure(Path.GetRelativePath(context.RunDirectory, curves), $"{r.Model}: training curves"));
            }
            if (r.Errors.Count > 0)
                blocks.Add(new Table(["id", "turn 1", "turn 2", "turn 3", "true", "predicted"],
                    [.. r.Errors.Select(e => (IReadOnlyList<string>)[e.Id, .. e.Turns, e.Truth, e.Predicted])], Caption: "misclassified dev dialogues"));
        }
        var summary = results.ToDictionary(r => r.Model, r => new
        {
            micro_f1 = r.Summary.DevCalibrated.MicroF1, macro_f1 = r.Summary.DevCalibrated.MacroF1, micro_f1_argmax = r.Summary.DevRaw.MicroF1,
            training_seconds = r.Summary.TrainingSeconds, dialogues_per_second = r.Summary.SequencesPerSecond,
        });
        return new StudyReport(new ReportDocument("Contextual emotion detection (EmoContext)", blocks), summary);
    }

    static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
