using System.Globalization;
using Deepscope.Data.Sources;
using Deepscope.Reports;
using ScottPlot;

namespace Deepscope.Studies.Generalization;

/// <summary>The study's figures as PNGs: the paper's figure 1a, 1b, 1c and Poggio et al.'s complexity sweep.</summary>
static class GeneralizationFigures
{
    /// <summary>Figure 1a: average training loss of each epoch against optimizer steps, one curve per randomisation.</summary>
    public static void TrainingLoss(IReadOnlyList<RunSummary> runs, string model, string path)
    {
        var plot = new Plot();
        foreach (var run in runs)
        {
            var line = plot.Add.Scatter(run.Epochs.Select(e => e.Step / 1000.0).ToArray(), run.Epochs.Select(e => e.TrainLoss).ToArray());
            line.LegendText = run.Cell.Randomization;
            line.MarkerSize = 3;
        }
        plot.Title($"{model}: training loss");
        plot.XLabel("thousands of steps");
        plot.YLabel("average loss");
        plot.ShowLegend(Alignment.UpperRight);
        EmbeddingPlot.Save(plot, path, 700, 500);
    }

    /// <summary>Figure 1b or 1c: a value per label-corruption level p (true labels p = 0, random labels p = 1), one line per model.</summary>
    public static void AgainstCorruption(IReadOnlyDictionary<string, IReadOnlyList<RunSummary>> byModel, Func<RunSummary, double?> value, string title, string yLabel, string path)
    {
        var plot = new Plot();
        foreach (var (model, runs) in byModel)
        {
            var points = runs.Where(r => !Randomization.Parse(r.Cell.Randomization).ChangesImages)
                .Select(r => (P: Randomization.Parse(r.Cell.Randomization).LabelNoise, V: value(r)))
                .Where(p => p.V is not null).OrderBy(p => p.P).ToList();
            if (points.Count == 0) continue;
            var line = plot.Add.Scatter(points.Select(p => p.P).ToArray(), points.Select(p => p.V!.Value).ToArray());
            line.LegendText = model;
        }
        plot.Title(title);
        plot.XLabel("label corruption p");
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        EmbeddingPlot.Save(plot, path, 600, 450);
    }

    /// <summary>
    /// Poggio et al.'s figure 7: train/test error and train/test cross-entropy against the parameter count on a log axis,
    /// with a dotted line where each family first interpolates its training set.
    /// </summary>
    public static void ComplexitySweep(IReadOnlyList<RunSummary> runs, string path)
    {
        Plot Panel(string title, string yLabel, (string Name, Func<EpochPoint, double> Value)[] series)
        {
            var plot = new Plot();
            foreach (var family in runs.GroupBy(r => r.Cell.Model))
            {
                var ordered = family.OrderBy(r => r.Parameters).ToList();
                double[] x = [.. ordered.Select(r => Math.Log10(r.Parameters))];
                foreach (var (name, value) in series)
                {
                    var line = plot.Add.Scatter(x, ordered.Select(r => value(r.Last)).ToArray());
                    line.LegendText = $"{family.Key} {name}";
                    line.LinePattern = name.StartsWith("train", StringComparison.Ordinal) ? LinePattern.Dashed : LinePattern.Solid;
                }
                if (ordered.FirstOrDefault(r => r.Fitted) is { } first)
                {
                    var marker = plot.Add.VerticalLine(Math.Log10(first.Parameters));
                    marker.LinePattern = LinePattern.Dotted;
                    marker.LegendText = $"{family.Key} interpolates";
                }
            }
            plot.Title(title);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                IntegerTicksOnly = true,
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                LabelFormatter = power => Math.Pow(10, power).ToString("N0", CultureInfo.InvariantCulture),
            };
            plot.XLabel("parameters (log scale)");
            plot.YLabel(yLabel);
            plot.ShowLegend(Edge.Bottom); // outside the axes: inside, it covered the largest models' points
            return plot;
        }
        var error = Panel("classification error", "error", [("train", e => 1 - e.TrainAccuracy), ("test", e => 1 - e.TestAccuracy)]);
        var loss = Panel("cross-entropy", "loss", [("train", e => e.TrainLoss), ("test", e => e.TestLoss)]);
        EmbeddingPlot.SaveGrid([error, loss], path, columns: 2, panelWidth: 620, panelHeight: 460);
    }
}
