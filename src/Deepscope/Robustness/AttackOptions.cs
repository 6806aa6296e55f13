using System.Globalization;
using Deepscope.Catalogs;

namespace Deepscope.Robustness;

/// <summary>
/// An attack by name with its hyper-parameters, shared by <c>deepscope attack</c> and the robustness study; zeros
/// (steps, step size) mean the method's torchattacks default. The budget eps is given apart, since it is swept.
/// </summary>
public sealed record AttackOptions
{
    public static readonly string[] Methods = ["fgsm", "pgd", "cw", "deepfool"];

    // The attacks keep torchattacks' defaults; these options start from them.
    static readonly CarliniWagnerL2 CwDefaults = new();
    static readonly DeepFool DeepFoolDefaults = new();
    static readonly Pgd PgdDefaults = new();

    [Param(Description = "fgsm, pgd, cw or deepfool")]
    public string Method { get; init; } = "pgd";

    [Param(Description = "norm of the PGD ball: linf or l2")]
    public string Norm { get; init; } = "linf";

    [Param(Min = 0, Description = "iterations (0: the method's default: PGD 10, CW 50, DeepFool 50)")]
    public int Steps { get; init; }

    [Param(Min = 0, Description = "PGD step size alpha (0: 2/255 for linf, 0.2 for l2)")]
    public double StepSize { get; init; }

    [Param(Description = "PGD starts from a random point of the ball")]
    public bool RandomStart { get; init; } = PgdDefaults.RandomStart;

    [Param(Min = 1, Description = "PGD restarts (each replaces the examples the earlier ones did not fool)")]
    public int Restarts { get; init; } = PgdDefaults.Restarts;

    [Param(Min = 0, Description = "CW: weight c of the classification term (first value of the binary search)")]
    public double C { get; init; } = CwDefaults.C;

    [Param(Min = 0, Description = "CW: confidence margin kappa")]
    public double Kappa { get; init; } = CwDefaults.Kappa;

    [Param(Min = 0, Description = "CW: Adam learning rate")]
    public double LearningRate { get; init; } = CwDefaults.LearningRate;

    [Param(Min = 1, Description = "CW: binary search steps over c (1: c fixed, as torchattacks)")]
    public int SearchSteps { get; init; } = CwDefaults.SearchSteps;

    [Param(Min = 0, Description = "DeepFool: overshoot")]
    public double Overshoot { get; init; } = DeepFoolDefaults.Overshoot;

    /// <summary>Whether the method takes a budget eps (CW and DeepFool look for the smallest perturbation instead).</summary>
    public bool IsBudgeted => Method.ToLowerInvariant() is "fgsm" or "pgd";

    /// <summary>The torchattacks default eps of the method (8/255; 1.0 for PGD-L2), or null for unbudgeted methods.</summary>
    public double? DefaultEpsilon => Method.ToLowerInvariant() switch
    {
        "fgsm" => new Fgsm().Epsilon,
        "pgd" => DefaultPgd.Epsilon,
        _ => null,
    };

    Pgd DefaultPgd => ParsedNorm == AttackNorm.L2 ? Pgd.L2() : PgdDefaults;

    public AttackNorm ParsedNorm => Norm.ToLowerInvariant() switch
    {
        "linf" or "inf" or "l-inf" => AttackNorm.LInf,
        "l2" => AttackNorm.L2,
        var other => throw new DeepscopeException($"unknown norm '{other}'; use linf or l2"),
    };

    /// <summary>The attack with budget <paramref name="epsilon"/> (ignored by CW and DeepFool; null: the default).</summary>
    public IAttack Create(double? epsilon = null)
    {
        double eps = epsilon ?? DefaultEpsilon ?? 0;
        return Method.ToLowerInvariant() switch
        {
            "fgsm" => new Fgsm(eps),
            "pgd" => DefaultPgd with
            {
                Epsilon = eps, StepSize = StepSize > 0 ? StepSize : DefaultPgd.StepSize, Steps = Steps > 0 ? Steps : DefaultPgd.Steps,
                RandomStart = RandomStart, Restarts = Restarts,
            },
            "cw" => new CarliniWagnerL2(C, Kappa, Steps > 0 ? Steps : CwDefaults.Steps, LearningRate, SearchSteps),
            "deepfool" => new DeepFool(Steps > 0 ? Steps : DeepFoolDefaults.Steps, Overshoot),
            var other => throw new DeepscopeException($"unknown attack '{other}'; use {string.Join(", ", Methods)}"),
        };
    }

    /// <summary>Parses "0,0.05,8/255" into budgets.</summary>
    public static double[] ParseEpsilons(string text) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(e =>
            Number(e) is { } v && v >= 0 && double.IsFinite(v) ? v : throw new DeepscopeException($"eps '{e}' is not a number >= 0 (or a fraction such as 8/255)"))];

    static double? Number(string text)
    {
        var parts = text.Split('/');
        var values = parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : (double?)null).ToArray();
        if (values.Any(v => v is null) || parts.Length > 2) return null;
        return parts.Length == 1 ? values[0] : values[1] == 0 ? null : values[0] / values[1];
    }
}
