using Deepscope.Data;
using System.Globalization;
using Deepscope.Models.Attention;
using Deepscope.Reports;
using Deepscope.Training;

namespace Deepscope.Studies.Attention;

/// <summary>One trained model of the study: its settings, test figures, budget and where its folder is (relative to the run).</summary>
public sealed record AttentionResult(AttentionModel Model, string Description, AttentionMetrics Metrics, int BestEpoch, int Epochs,
    double TrainingSeconds, double TrainImagesPerSecond, string Folder, IReadOnlyList<GlimpsePath> Glimpses);

/// <summary>
/// Recurrent attention models on a digit task (Mnih et al. 2014): RAM with its learned policy, the same model glimpsing
/// at random, and the whole-image baselines, each trained as one stage in its own folder (checkpointed, so a killed
/// run resumes inside the stage), evaluated on the fixed test set, with the paper's errors beside ours and pictures of
/// where RAM looks.
/// </summary>
public sealed class AttentionStudy(AttentionStudyOptions options) : IStudy
{
    StageKey Key(AttentionModel model, StudyContext context) => new("attention-run", new { Run = options.Run(model), context.Seed });

    public void Run(StudyContext context)
    {
        foreach (var model in context.MyCells(options.Models))
        {
            var key = Key(model, context);
            var run = options.Run(model);
            var folder = context.Stages.ArtifactFolder(key, OptionsName(model));
            context.Stage(key, $"{run.Describe()} on {run.Task.Describe()}", () =>
            {
                var training = AttentionRun.Train(run, context.Seed, context.Datasets, folder, context.Progress, checkpointEverySteps: 200);
                var metrics = AttentionRun.Evaluate(folder, context.Datasets);
                var glimpses = run.IsAttention && options.GlimpseFigures > 0 ? DrawGlimpses(folder, context) : [];
                double imagesPerSecond = training.History.Count == 0 ? 0 : training.History.Average(e => e.ImagesPerSecond);
                return new AttentionResult(model, run.Describe(), metrics, training.BestEpoch, run.Epochs, training.TrainingSeconds,
                    imagesPerSecond, Path.GetRelativePath(context.RunDirectory, folder), glimpses);
            });
        }
    }

    IReadOnlyList<GlimpsePath> DrawGlimpses(string folder, StudyContext context)
    {
        var (record, model) = AttentionRun.Load(folder);
        using var task = new DigitTask(record.Options.Task, context.Datasets, record.Seed);
        return GlimpseFigures.Write((RecurrentAttentionModel)model, record, task.Test, options.GlimpseFigures,
            Path.Combine(folder, "glimpses.png"), Path.Combine(folder, "glimpses.gif"));
    }

    static string OptionsName(AttentionModel model) => model.ToString().ToLowerInvariant();

    public StudyReport Report(StudyContext context)
    {
        var results = options.Models.Select(m => context.Lookup<AttentionResult>(Key(m, context))?.Value).OfType<AttentionResult>().ToList();
        var blocks = new List<ReportBlock>
        {
            new Heading("Task"),
            new Paragraphs([
                $"{options.Task.Describe()}: training on the first {options.Task.TrainSubset ?? DigitTask.TrainCount:N0} MNIST training digits "
                + "(translated and cluttered images drawn anew each epoch), the best epoch chosen on the last 10,000, errors on the 10,000 test digits "
                + $"(fixed images, test seed {options.Task.TestSeed}). Every model trains {options.Epochs} epochs with Adam (learning rate {options.LearningRate}, "
                + $"cosine-annealed to 1%), batch {options.BatchSize}. RAM: {options.Ram.Glimpses} glimpses of {options.Ram.Patch}x{options.Ram.Patch} "
                + $"at {options.Ram.Scales} scale(s), {options.Ram.Core} core of {options.Ram.CoreSize}, location policy sigma {options.Ram.LocationStd}; "
                + "RAM errors use the policy's mean locations; the sampled column averages the class probabilities of "
                + $"{options.MonteCarloSamples} sampled glimpse paths.",
            ]),
            new Heading("Test error"),
            ErrorTable(results),
        };
        blocks.AddRange(Findings(results));
        foreach (var result in results)
        {
            blocks.Add(new Figure(Path.Combine(result.Folder, TrainingLog.CurvesPng), $"Training curves: {result.Description}"));
            if (result.Glimpses.Count == 0) continue;
            blocks.Add(new Heading($"Where {result.Description} looks", 3));
            blocks.Add(new Figure(Path.Combine(result.Folder, "glimpses.png"),
                $"Glimpse paths on test digits (blue: first glimpse, red: last), then what the retina saw at each glimpse; animation: {Path.Combine(result.Folder, "glimpses.gif")}"));
            blocks.Add(new Table(["digit", "predicted", .. Enumerable.Range(1, result.Glimpses[0].TrueClassProbability.Length).Select(t => $"P after {t}")],
                result.Glimpses.Select(g => (IReadOnlyList<string>)[g.Label.ToString(), g.Predicted.ToString(), .. g.TrueClassProbability.Select(p => p.ToString("F2", CultureInfo.InvariantCulture))]).ToList(),
                "Probability of the true class after each glimpse"));
        }
        return new StudyReport(new ReportDocument($"Recurrent attention models: {options.Task.Describe()}", blocks), results);
    }

    Table ErrorTable(IReadOnlyList<AttentionResult> results)
    {
        string Percent(double? x) => x is { } v ? (100 * v).ToString("F2", CultureInfo.InvariantCulture) : "";
        var rows = results.Select(r =>
        {
            var paper = PaperErrors.For(options.Run(r.Model));
            return (IReadOnlyList<string>)[
                r.Description, Percent(r.Metrics.Error), Percent(1 - r.Metrics.SampledAccuracy),
                paper is { } p ? $"{p.Error:F2} ({p.Setting})" : "",
                $"{r.BestEpoch}/{r.Epochs}", (r.TrainingSeconds / 60).ToString("F1", CultureInfo.InvariantCulture),
                r.TrainImagesPerSecond.ToString("F0", CultureInfo.InvariantCulture)];
        }).ToList();
        return new Table(["model", "test error %", "sampled %", "paper %", "best epoch", "training min", "train img/s"], rows,
            "Test error on the fixed test set; paper: Mnih et al., NIPS 2014", RightAligned: new HashSet<int> { 1, 2, 4, 5, 6 });
    }

    static IEnumerable<ReportBlock> Findings(IReadOnlyList<AttentionResult> results)
    {
        var learned = results.FirstOrDefault(r => r.Model == AttentionModel.Ram);
        var findings = new List<string>();
        if (learned is not null && results.FirstOrDefault(r => r.Model == AttentionModel.RamRandom) is { } random)
            findings.Add($"The learned policy's error is {100 * learned.Metrics.Error:F2}% against {100 * random.Metrics.Error:F2}% with random glimpses: "
                + $"{100 * (random.Metrics.Error - learned.Metrics.Error):F2} points from learning where to look.");
        foreach (var baseline in results.Where(r => r.Model is AttentionModel.Fc or AttentionModel.Conv))
            if (learned is not null)
                findings.Add($"{baseline.Description} (whole image): {100 * baseline.Metrics.Error:F2}%, "
                    + (baseline.Metrics.Error > learned.Metrics.Error ? "above" : "below") + $" RAM's {100 * learned.Metrics.Error:F2}%.");
        return findings.Count == 0 ? [] : [new Heading("Findings"), new Bullets(findings)];
    }
}
