using System.Globalization;
using System.Text.Json;
using Deepscope.Data;
using Deepscope.Reports;
using Deepscope.Training;

namespace Deepscope.Studies.Generalization;

/// <summary>
/// Zhang et al. (2017), "Understanding deep learning requires rethinking generalization", and Poggio et al. (2018) on
/// CIFAR-10: every run of the grid (randomisation tests, table 1, complexity sweep) is one stage that trains a model
/// to zero training error or its epoch budget, logging history and TensorBoard events in its artifact folder. The
/// report draws figure 1a/1b/1c, table 1 beside the paper's figures, the sweep and a generated analysis from the stages.
/// </summary>
public sealed class GeneralizationStudy(GeneralizationOptions options) : IStudy
{
    readonly GeneralizationRuns _runs = new(options);

    /// <summary>Each distinct run once (table runs without regularisers repeat randomisation runs), in grid order.</summary>
    IReadOnlyList<RunCell> DistinctCells(long seed) => [.. _runs.Cells().DistinctBy(c => _runs.Key(c, seed).Hash)];

    public void Run(StudyContext context)
    {
        _runs.Validate();
        LabeledImages? train = null, test = null;
        try
        {
            foreach (var cell in context.MyCells(DistinctCells(context.Seed)))
            {
                var key = _runs.Key(cell, context.Seed);
                if (context.IsFinished(key)) continue;
                train ??= context.Time($"load {options.Dataset} train", () => Subset(context.Datasets.Load(options.Dataset, Split.Train), options.TrainSubset));
                test ??= context.Time($"load {options.Dataset} test", () => Subset(context.Datasets.Load(options.Dataset, Split.Test), options.TestSubset));
                var folder = Folder(context, cell);
                context.Stage(key, cell.Label, () => _runs.Train(cell, train, test, context.Seed, folder, context.Progress));
            }
        }
        finally
        {
            train?.Dispose();
            test?.Dispose();
        }
    }

    string Folder(StudyContext context, RunCell cell) =>
        context.Stages.ArtifactFolder(_runs.Key(cell, context.Seed), $"{cell.Model}-{cell.Width}-{cell.Randomization.Replace(':', '-')}-{cell.Regularizer}");

    /// <summary>An unfinished run as the report names it: with its last logged epoch when it has trained some (a long grid spans days).</summary>
    string Pending(StudyContext context, RunCell cell)
    {
        var history = Path.Combine(Folder(context, cell), TrainingLog.HistoryJson);
        if (!File.Exists(history)) return cell.Label;
        Dictionary<string, double?>? last;
        try { last = JsonSerializer.Deserialize<List<Dictionary<string, double?>>>(File.ReadAllText(history))?.LastOrDefault(); }
        catch (JsonException) { return $"{cell.Label} (its {history} is unreadable)"; }
        if (last is null || last.GetValueOrDefault("epoch") is not { } epoch || last.GetValueOrDefault("train_accuracy") is not { } accuracy) return cell.Label;
        return string.Create(CultureInfo.InvariantCulture, $"{cell.Label} at epoch {epoch} of {_runs.EpochsOf(cell)}, {100 * accuracy:F2}% training accuracy");
    }

    static LabeledImages Subset(LabeledImages all, int count)
    {
        if (count <= 0 || count >= all.Count) return all;
        using (all)
        using (var view = all.Take(count))
            return new LabeledImages(view.Images.clone(), view.Labels.clone(), view.Classes, view.Source, view.Groups?.clone());
    }

    public StudyReport Report(StudyContext context)
    {
        var cells = _runs.Cells().ToList();
        var results = cells.Select(c => context.Lookup<RunSummary>(_runs.Key(c, context.Seed))?.Value is { } r ? r with { Cell = c } : null).ToList();
        var runs = results.OfType<RunSummary>().ToList();
        var pending = cells.Where((_, i) => results[i] is null).Select(c => Pending(context, c)).ToList();
        // Nested interpolations format in the current culture, so the counts are formatted here.
        static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
        string sweepStop = options.SweepStopAtFit ? $"({Count(options.SweepEpochs)} in the sweep)."
            : $"(the sweep trains all {Count(options.SweepEpochs)} of its epochs; its steps to fit come from its history).";
        var blocks = new List<ReportBlock>
        {
            new Paragraphs([string.Create(CultureInfo.InvariantCulture,
                $"{runs.Count} of {cells.Count} runs finished{(pending.Count > 0 ? $" (not yet: {string.Join("; ", pending)})" : "")}. {options.Dataset}, {(options.TrainSubset > 0 ? $"the first {Count(options.TrainSubset)}" : "all")} training images, " +
                $"{(options.TestSubset > 0 ? $"the first {Count(options.TestSubset)}" : "all")} test images (true labels); 28x28 centre crops standardised per image; SGD momentum {options.Momentum}, " +
                $"learning rate x{options.LearningRateDecay} per {(options.LearningRateDecayImages > 0 ? $"{Count(options.LearningRateDecayImages)} training images" : "epoch")}, batch {options.BatchSize}; a run stops at the first epoch whose training accuracy (averaged over the epoch's batches) " +
                $"reaches {100 * options.FitThreshold:0.##}% (\"zero training error\") or after {options.Epochs} epochs {sweepStop}")]),
        };
        var figures = Path.Combine(context.RunDirectory, "figures");
        Directory.CreateDirectory(figures);
        var randomization = runs.Where(r => r.Cell.Group == RunGroup.Randomization).GroupBy(r => r.Cell.Model)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<RunSummary>)[.. g]);
        if (randomization.Count > 0)
        {
            blocks.Add(new Heading("Randomisation tests (figure 1)"));
            foreach (var (model, group) in randomization)
            {
                var name = $"figure-1a-{model}.png";
                GeneralizationFigures.TrainingLoss(group, model, Path.Combine(figures, name));
                blocks.Add(new Figure($"figures/{name}", $"Figure 1a, {model}: training loss against steps for each randomisation (paper: all reach zero loss; random labels and pixels take longer)."));
            }
            GeneralizationFigures.AgainstCorruption(randomization, r => r.StepsToFit / 1000.0, "steps to zero training error", "thousands of steps", Path.Combine(figures, "figure-1b.png"));
            blocks.Add(new Figure("figures/figure-1b.png", "Figure 1b: steps to zero training error against label corruption p (runs that did not fit are left out)."));
            GeneralizationFigures.AgainstCorruption(randomization, r => 1 - r.Last.TestAccuracy, "test error at the end of training", "test error", Path.Combine(figures, "figure-1c.png"));
            blocks.Add(new Figure("figures/figure-1c.png", "Figure 1c: test error against label corruption p (paper: it grows towards 90% as p goes to 1)."));
            blocks.Add(GeneralizationAnalysis.RunTable(randomization.Values.SelectMany(g => g).ToList(), "Every randomisation run"));
        }
        var table = runs.Where(r => r.Cell.Group == RunGroup.Table).ToList();
        if (table.Count > 0)
        {
            blocks.Add(new Heading("Table 1: regularisers"));
            blocks.Add(GeneralizationAnalysis.TableOne(table));
        }
        var sweep = runs.Where(r => r.Cell.Group == RunGroup.Sweep).ToList();
        if (sweep.Count > 0)
        {
            blocks.Add(new Heading("Model-complexity sweep (Poggio et al. 2018, figure 7)"));
            GeneralizationFigures.ComplexitySweep(sweep, Path.Combine(figures, "complexity-sweep.png"));
            blocks.Add(new Figure("figures/complexity-sweep.png", "Train (dashed) and test (solid) classification error and cross-entropy against the number of parameters."));
            blocks.Add(GeneralizationAnalysis.RunTable(sweep, "Every sweep run"));
        }
        blocks.Add(new Heading("Analysis"));
        blocks.Add(new Bullets(GeneralizationAnalysis.Findings(runs, options.FitThreshold)));
        return new StudyReport(new ReportDocument("Rethinking generalization on CIFAR-10", blocks), runs);
    }
}
