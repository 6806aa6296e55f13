using System.Globalization;
using System.Text;
using System.Text.Json;
using Deepscope.IO;
using static TorchSharp.torch;

namespace Deepscope.Robustness;

/// <summary>One attack at one budget over a set: accuracies, success rate among clean-correct examples, mean norms, speed.</summary>
public sealed record AttackOutcome(string Attack, double? Epsilon, int Count, double CleanAccuracy, double RobustAccuracy, double SuccessRate,
    double MeanL2, double MeanLInf, double Seconds, double ExamplesPerSecond)
{
    public static AttackOutcome Of(AttackResult result, string attack, double? epsilon) => new(attack, epsilon, result.Count, result.CleanAccuracy,
        result.RobustAccuracy, result.SuccessRate, result.L2.Average(v => (double)v), result.LInf.Average(v => (double)v), result.Seconds, result.ExamplesPerSecond);
}

/// <summary>metrics.json of <c>deepscope attack</c>: the last budget's figures at the top level, every budget under <see cref="Sweep"/>.</summary>
public sealed record AttackMetrics(string Method, string Run, string Dataset, long Seed, int Count, double CleanAccuracy, double RobustAccuracy,
    double SuccessRate, IReadOnlyList<AttackOutcome> Sweep);

/// <summary>
/// Attacks a set of images at each budget and writes, per budget, the adversarial images (adversarial.npy, float32 in
/// [0, 1], the images' shape), per-example outcomes (examples.csv: label, clean and adversarial correctness, success,
/// L2 and L-inf norms) and a figure of the first examples; one budget writes into the folder itself, a sweep into
/// eps-VALUE sub-folders plus accuracy_vs_eps.png.
/// </summary>
public static class AttackEvaluation
{
    public const string AdversarialFile = "adversarial.npy", ExamplesFile = "examples.csv", MetricsFile = "metrics.json",
        ExamplesFigure = "examples.png", CurveFigure = "accuracy_vs_eps.png";

    public static AttackMetrics Run(nn.Module<Tensor, Tensor> pixelModel, AttackOptions options, IReadOnlyList<double?> epsilons, Tensor pixels, Tensor labels,
        long seed, int batchSize, string folder, string run, string dataset, IProgressReporter? progress = null, Action<AttackOutcome>? completed = null)
    {
        if (epsilons.Count == 0) throw new DeepscopeException("no eps to attack with");
        var outcomes = new List<AttackOutcome>();
        foreach (var epsilon in epsilons)
        {
            var attack = options.Create(epsilon);
            using var result = AttackRunner.Run(pixelModel, attack, pixels, labels, seed, batchSize, progress);
            var where = FolderOf(folder, epsilon, epsilons.Count);
            Directory.CreateDirectory(where);
            Npy.Write(Path.Combine(where, AdversarialFile), result.Adversarial);
            AtomicFile.WriteAllText(Path.Combine(where, ExamplesFile), ExamplesCsv(result, labels));
            RobustnessFigures.AdversarialExamples(pixels, result.Adversarial, Path.Combine(where, ExamplesFigure));
            var outcome = AttackOutcome.Of(result, attack.Name, options.IsBudgeted ? epsilon ?? options.DefaultEpsilon : null);
            outcomes.Add(outcome);
            completed?.Invoke(outcome);
        }
        if (epsilons.Count > 1 && options.IsBudgeted)
            RobustnessFigures.AccuracyCurves([($"{options.Method} ({run})", [.. outcomes.Select(o => o.Epsilon ?? 0)], [.. outcomes.Select(o => o.RobustAccuracy)])],
                Path.Combine(folder, CurveFigure), $"{options.Method} eps");
        var last = outcomes[^1];
        var metrics = new AttackMetrics(options.Method, run, dataset, seed, last.Count, last.CleanAccuracy, last.RobustAccuracy, last.SuccessRate, outcomes);
        AtomicFile.WriteAllText(Path.Combine(folder, MetricsFile), JsonSerializer.Serialize(metrics, JsonFormat.Options));
        return metrics;
    }

    /// <summary>Where one budget's outputs go: the folder itself for a single budget, else its eps-VALUE sub-folder.</summary>
    public static string FolderOf(string folder, double? epsilon, int budgets) =>
        budgets == 1 ? folder : Path.Combine(folder, "eps-" + (epsilon ?? 0).ToString("G6", CultureInfo.InvariantCulture));

    static string ExamplesCsv(AttackResult result, Tensor labels)
    {
        var text = new StringBuilder("index,label,clean_correct,adversarial_correct,success,l2,linf\n");
        using var asLong = labels.to_type(ScalarType.Int64);
        var label = asLong.data<long>().ToArray();
        for (int i = 0; i < result.Count; i++)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{i},{label[i]},{Flag(result.CleanCorrect[i])},{Flag(result.AdversarialCorrect[i])},{Flag(result.CleanCorrect[i] && result.Fooled(i))},{result.L2[i]:R},{result.LInf[i]:R}"));
        return text.ToString();
    }

    static int Flag(bool value) => value ? 1 : 0;
}
