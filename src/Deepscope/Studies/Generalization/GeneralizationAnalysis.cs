using System.Globalization;
using Deepscope.Data.Sources;
using Deepscope.Reports;

namespace Deepscope.Studies.Generalization;

/// <summary>The study's tables and the findings written from its runs.</summary>
static class GeneralizationAnalysis
{
    static string Percent(double fraction) => (100 * fraction).ToString("F2", CultureInfo.InvariantCulture);
    static string Number(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>One row per run: what it is, how long it trained, where it ended.</summary>
    public static Table RunTable(IReadOnlyList<RunSummary> runs, string caption) => new(
        ["model", "parameters", "randomisation", "regulariser", "epochs", "steps to fit", "train acc %", "test acc %", "train loss", "test loss", "img/s"],
        [.. runs.Select(r => (IReadOnlyList<string>)[
            r.Cell.Group == RunGroup.Sweep ? $"{r.Cell.Model} k={r.Cell.Width}" : r.Cell.Model, Number(r.Parameters), r.Cell.Randomization, r.Cell.Regularizer,
            r.Last.Epoch.ToString(CultureInfo.InvariantCulture), r.StepsToFit is { } s ? Number(s) : "not fitted",
            Percent(r.Last.TrainAccuracy), Percent(r.Last.TestAccuracy), r.Last.TrainLoss.ToString("F4", CultureInfo.InvariantCulture),
            r.Last.TestLoss.ToString("F4", CultureInfo.InvariantCulture), r.Epochs.Average(e => e.ImagesPerSecond).ToString("F0", CultureInfo.InvariantCulture)])],
        caption, RightAligned: new HashSet<int> { 1, 4, 5, 6, 7, 8, 9, 10 });

    /// <summary>Table 1 of Zhang et al.: train and test accuracy per model and regulariser, ours beside the paper's.</summary>
    public static Table TableOne(IReadOnlyList<RunSummary> runs) => new(
        ["model", "parameters", "labels", "random crop", "weight decay", "dropout", "epochs", "train acc %", "test acc %", "paper train %", "paper test %"],
        [.. runs.Select(r =>
        {
            var reg = Regularizer.Parse(r.Cell.Regularizer);
            var paper = PaperTable.Of(r.Cell);
            string Yes(bool b) => b ? "yes" : "no";
            return (IReadOnlyList<string>)[r.Cell.Model, Number(r.Parameters), r.Cell.Randomization, Yes(reg.Crop), Yes(reg.WeightDecay), Yes(reg.Dropout),
                r.Last.Epoch.ToString(CultureInfo.InvariantCulture), Percent(r.Last.TrainAccuracy), Percent(r.Last.TestAccuracy),
                paper is { } p ? p.Train.ToString("F2", CultureInfo.InvariantCulture) : "-", paper is { } q ? q.Test.ToString("F2", CultureInfo.InvariantCulture) : "-"];
        })],
        "Training accuracy is the last epoch's average over its batches (regularisers active), test accuracy the last epoch's on true labels. The paper trained each setting to convergence; runs here stop at zero training error or the epoch budget.",
        RightAligned: new HashSet<int> { 1, 6, 7, 8, 9, 10 });

    /// <summary>The generated analysis: which runs fitted, how much slower randomised data fit, and what the sweep shows past interpolation.</summary>
    public static IReadOnlyList<string> Findings(IReadOnlyList<RunSummary> runs, double threshold)
    {
        var findings = new List<string>();
        var trained = runs.Where(r => r.Cell.Group != RunGroup.Sweep).DistinctBy(r => (r.Cell.Model, r.Cell.Randomization, r.Cell.Regularizer)).ToList();
        if (trained.Count > 0)
        {
            var fitted = trained.Where(r => r.Fitted).ToList();
            findings.Add($"{fitted.Count} of {trained.Count} randomisation and table runs reached {Percent(threshold)}% training accuracy" +
                (fitted.Count < trained.Count ? $"; not within the budget: {string.Join("; ", trained.Where(r => !r.Fitted).Select(r => $"{r.Cell.Label} ({Percent(r.Last.TrainAccuracy)}% after {r.Last.Epoch} epochs)"))}." : "."));
        }
        foreach (var model in runs.Where(r => r.Cell.Group == RunGroup.Randomization).GroupBy(r => r.Cell.Model))
        {
            var truth = model.FirstOrDefault(r => r.Cell.Randomization == "true-labels");
            if (truth?.StepsToFit is not { } baseSteps) continue;
            var factors = model.Where(r => r != truth && r.StepsToFit is not null)
                .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Cell.Randomization} x{(double)r.StepsToFit!.Value / baseSteps:F1}")).ToList();
            if (factors.Count > 0)
                findings.Add($"{model.Key}: true labels fitted in {Number(baseSteps)} steps; steps to fit relative to that: {string.Join(", ", factors)} (paper: random labels fit within a small constant factor).");
            var corrupted = model.Where(r => !Randomization.Parse(r.Cell.Randomization).ChangesImages && r.StepsToFit is not null)
                .OrderBy(r => Randomization.Parse(r.Cell.Randomization).LabelNoise).Select(r => r.StepsToFit!.Value).ToList();
            if (corrupted.Count > 2)
                findings.Add($"{model.Key}: steps to fit {(corrupted.Zip(corrupted.Skip(1)).All(p => p.Second >= p.First) ? "grow" : "do not grow monotonically")} with the label corruption p ({string.Join(" -> ", corrupted.Select(s => Number(s)))}).");
        }
        var sweep = runs.Where(r => r.Cell.Group == RunGroup.Sweep).OrderBy(r => r.Parameters).ToList();
        foreach (var family in sweep.GroupBy(r => r.Cell.Model))
            findings.Add(SweepFinding(family.Key, [.. family], threshold));
        if (LossTurnsUpInTime(runs) is { } inTime) findings.Add(inTime);
        return findings;
    }

    /// <summary>
    /// The puzzle read in time rather than across sizes: runs whose test cross-entropy passed its lowest epoch and rose
    /// by the end while their test error did not (by more than a point). The rise is relative, as cross-entropies of
    /// different models sit at different heights.
    /// </summary>
    static string? LossTurnsUpInTime(IReadOnlyList<RunSummary> runs)
    {
        const double LossRise = 0.05, ErrorSlack = 0.01;
        var distinct = runs.DistinctBy(r => (r.Cell.Group == RunGroup.Sweep, r.Cell.Model, r.Cell.Width, r.Cell.Randomization, r.Cell.Regularizer)).Where(r => r.Epochs.Count >= 3).ToList();
        if (distinct.Count == 0) return null;
        var turned = distinct.Select(r => (Run: r, Lowest: r.Epochs.MinBy(e => e.TestLoss)!))
            .Where(t => t.Run.Last.TestLoss > (1 + LossRise) * t.Lowest.TestLoss && t.Run.Last.TestAccuracy >= t.Lowest.TestAccuracy - ErrorSlack).ToList();
        if (turned.Count == 0)
            return $"In time: no run's test cross-entropy rose more than {100 * LossRise:0}% above its lowest while its test error held (runs of three or more epochs: {distinct.Count}).";
        return $"In time: test cross-entropy turns up while test error does not in {turned.Count} of {distinct.Count} runs (lowest test cross-entropy -> at the end, and test error over the same epochs): " +
            string.Join("; ", turned.Select(t => string.Create(CultureInfo.InvariantCulture,
                $"{t.Run.Cell.Label}: {t.Lowest.TestLoss:F3} at epoch {t.Lowest.Epoch} -> {t.Run.Last.TestLoss:F3} at {t.Run.Last.Epoch} (+{100 * (t.Run.Last.TestLoss / t.Lowest.TestLoss - 1):F0}%), " +
                $"test error {Percent(1 - t.Lowest.TestAccuracy)}% -> {Percent(1 - t.Run.Last.TestAccuracy)}%"))) + ".";
    }

    /// <summary>Where the family first interpolates its training set, and what test error and test cross-entropy do beyond.</summary>
    static string SweepFinding(string family, IReadOnlyList<RunSummary> runs, double threshold)
    {
        // A run that trains its whole budget may lose a training example or two after fitting; it still interpolated.
        int first = runs.ToList().FindIndex(r => r.Fitted);
        if (first < 0)
            return $"{family}: no width reached {Percent(threshold)}% training accuracy within the budget (best {Percent(runs.Max(r => r.Last.TrainAccuracy))}%), so the interpolation regime is not reached.";
        var beyond = runs.Skip(first).ToList();
        var at = beyond[0];
        var best = beyond.MinBy(r => r.Last.TestLoss)!;
        string text = $"{family}: interpolation from {Number(at.Parameters)} parameters (width {at.Cell.Width}). Beyond it ({beyond.Count} sizes) test error goes " +
            $"{Percent(1 - at.Last.TestAccuracy)}% -> {Percent(1 - beyond[^1].Last.TestAccuracy)}% while test cross-entropy goes " +
            string.Create(CultureInfo.InvariantCulture, $"{at.Last.TestLoss:F3} -> {beyond[^1].Last.TestLoss:F3} (lowest {best.Last.TestLoss:F3} at {Number(best.Parameters)} parameters)");
        bool errorFlat = beyond[^1].Last.TestAccuracy >= at.Last.TestAccuracy - 0.01;
        bool lossUp = beyond[^1].Last.TestLoss > best.Last.TestLoss;
        text += errorFlat && lossUp ? ": test error flat or falling while test loss turns up, Poggio et al.'s non-overfitting puzzle."
            : errorFlat ? ": test error flat or falling and test loss not rising." : ": test error rises past interpolation.";
        var fitted = beyond.Where(r => r.Fitted).ToList();
        if (fitted.Any(r => r.Last.Step > r.StepsToFit))
        {
            EpochPoint AtFit(RunSummary r) => r.Epochs.First(e => e.Step == r.StepsToFit);
            text += " At the epoch each of them first fitted (stopping there instead): test error " + string.Join(" -> ", fitted.Select(r => $"{Percent(1 - AtFit(r).TestAccuracy)}%")) +
                ", test cross-entropy " + string.Join(" -> ", fitted.Select(r => AtFit(r).TestLoss.ToString("F3", CultureInfo.InvariantCulture))) + ".";
        }
        return text;
    }
}
