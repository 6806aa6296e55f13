using System.Globalization;
using Deepscope.Reports;
using Deepscope.Robustness;

namespace Deepscope.Studies.Robustness;

/// <summary>The robustness study's report: accuracy-vs-eps and accuracy-vs-noise curves, robust accuracy tables, spectra, examples.</summary>
static class RobustnessReport
{
    static string F(double v, string format = "F1") => v.ToString(format, CultureInfo.InvariantCulture);

    public static StudyReport Build(RobustnessOptions options, StudyContext context, IReadOnlyList<RobustnessResult> results)
    {
        var figures = Path.Combine(context.RunDirectory, "figures");
        Directory.CreateDirectory(figures);
        string Relative(string path) => Path.GetRelativePath(context.RunDirectory, path);
        var blocks = new List<ReportBlock>
        {
            new Paragraphs([
                $"{options.Model} on {options.Dataset}, {options.Epochs} epochs per variant (batch {options.BatchSize}, SGD lr {F(options.LearningRate, "G")}, cosine schedule, seed {context.Seed})" +
                (options.TrainLimit > 0 ? $", the first {options.TrainLimit} training images" : "") + ".",
                $"Attacks in pixel space [0, 1], model in evaluation mode, on the first {options.AttackImages} test images; PGD: {options.PgdSteps} steps of {F(options.PgdStepSize, "G")} from a random start. " +
                $"Noise: Gaussian, masked in the 2D Fourier domain to radii above (high-pass) or at most (low-pass control) {F(options.NoiseCutoff, "G")} Nyquist, scaled to each L2 norm, on the first {options.NoiseImages} test images."]),
            new Heading("Robust accuracy"),
        };
        var attackNames = options.Attacks;
        blocks.Add(new Table(["variant", "training", "clean %", .. attackNames.SelectMany(a => options.Epsilons.Select(e => $"{a} {F(e, "G3")} %"))],
            results.Select(r => (IReadOnlyList<string>)[r.Variant, r.Training, F(100 * r.CleanAccuracy, "F2"),
                .. r.Attacks.SelectMany(c => c.RobustAccuracy.Select(a => F(100 * a)))]).ToList(),
            "Robust accuracy (%) under each attack at each L-inf eps (eps 0 of PGD still takes its steps inside a ball of radius 0: the clean accuracy)."));
        for (int i = 0; i < attackNames.Length; i++)
        {
            var path = Path.Combine(figures, $"accuracy-vs-eps-{attackNames[i]}.png");
            RobustnessFigures.AccuracyCurves([.. results.Select(r => (r.Variant, r.Attacks[i].Epsilons, r.Attacks[i].RobustAccuracy))], path, "eps (L-inf, pixels)");
            blocks.Add(new Figure(Relative(path), $"{attackNames[i]}: accuracy against eps, one line per variant"));
        }
        blocks.Add(new Heading("High-frequency noise"));
        var noisePath = Path.Combine(figures, "accuracy-vs-noise.png");
        RobustnessFigures.AccuracyCurves([.. results.SelectMany(r => r.Noise.Select(n => ($"{r.Variant}, {n.Band.Split(' ')[0]}", n.Norms, n.Accuracy)))], noisePath, "noise L2 norm");
        blocks.Add(new Figure(Relative(noisePath), "Accuracy against the L2 norm of high-pass and low-pass Gaussian noise"));
        blocks.Add(new Table(["variant", "band", .. options.NoiseNorms.Select(n => $"L2 {F(n, "G3")} %")],
            results.SelectMany(r => r.Noise.Select(n => (IReadOnlyList<string>)[r.Variant, n.Band, .. n.Accuracy.Select(a => F(100 * a))])).ToList()));
        blocks.Add(new Heading("Layer spectra and the Lipschitz bound"));
        blocks.Add(new Table(["variant", "product bound", "largest singular value per layer"],
            results.Select(r => (IReadOnlyList<string>)[r.Variant, F(r.LipschitzBound, "G4"),
                string.Join("; ", r.Spectra.Select(s => $"{s.Name} {F(s.LargestSingularValues[0], "F3")}"))]).ToList(),
            "Product of the layers' factors (largest singular value; convolutions times the square root of their kernel overlap; batch norm its largest gain)."));
        blocks.Add(new Heading("Adversarial examples"));
        foreach (var r in results)
            foreach (var c in r.Attacks.Where(c => c.ExamplesFigure is not null && File.Exists(c.ExamplesFigure)))
                blocks.Add(new Figure(Relative(c.ExamplesFigure!), $"{r.Variant}, {c.Attack} at eps {F(c.Epsilons.Max(), "G3")}: clean (top), adversarial, perturbation (grey = 0)"));
        return new StudyReport(new ReportDocument("Robustness: attacks, adversarial training, Parseval networks, DCFNet under high-frequency noise", blocks), results);
    }
}
