using Deepscope.Catalogs;
using Deepscope.Training;
using Deepscope.Training.Steps;

namespace Deepscope.Robustness;

/// <summary>
/// How a classifier is trained to resist attacks: adversarial training (PGD, FGSM, or FGSM from a random start with
/// step 1.25 eps) in pixel space, and/or the Parseval retraction after every step. The defaults train plainly.
/// </summary>
public sealed record DefenceOptions
{
    [Param(Description = "adversarial training: none, pgd, fgsm or fast-fgsm (FGSM from a random start, step 1.25 eps)")]
    public string Adversarial { get; init; } = "none";

    [Param(Min = 0, Description = "adversarial training budget in pixels")]
    public double Epsilon { get; init; } = 0.3;

    [Param(Min = 0, Description = "PGD step size in pixels (0: 2.5 eps / steps, Madry et al.'s rule)")]
    public double StepSize { get; init; }

    [Param(Min = 1, Description = "PGD steps")]
    public int Steps { get; init; } = 40;

    [Param(Description = "ball: linf or l2")]
    public string Norm { get; init; } = "linf";

    [Param(Min = 0, Max = 0.5, Description = "Parseval retraction beta after every step (0: off; the paper uses 3e-4)")]
    public double ParsevalBeta { get; init; }

    [Param(Min = 0, Max = 1, Description = "fraction of each layer's rows the retraction samples per step")]
    public double ParsevalRows { get; init; } = 1;

    public bool IsPlain => Adversarial.Equals("none", StringComparison.OrdinalIgnoreCase) && ParsevalBeta == 0;

    /// <summary>The training step for a run whose images are prepared by <paramref name="transform"/>.</summary>
    public ITrainingStep Step(InputTransform transform)
    {
        var norm = new AttackOptions { Norm = Norm }.ParsedNorm;
        ITrainingStep step = Adversarial.ToLowerInvariant() switch
        {
            "none" => SupervisedStep.Instance,
            "pgd" => new AdversarialStep(Epsilon, StepSize > 0 ? StepSize : 2.5 * Epsilon / Steps, Steps) { Norm = norm, Pixels = transform },
            "fgsm" => AdversarialStep.Fgsm(Epsilon) with { Norm = norm, Pixels = transform },
            "fast-fgsm" => AdversarialStep.FastFgsm(Epsilon) with { Norm = norm, Pixels = transform },
            var other => throw new DeepscopeException($"unknown adversarial training '{other}'; use none, pgd, fgsm or fast-fgsm"),
        };
        return ParsevalBeta > 0 ? new ParsevalStep(step, ParsevalBeta, ParsevalRows) : step;
    }

    /// <summary>"plain", or what the step does, for run records and reports.</summary>
    public string Describe(InputTransform transform) => IsPlain ? "plain" : string.Join(" + ", new[]
    {
        Step(transform) is var step && (step is ParsevalStep p ? p.Inner : step) is AdversarialStep a ? $"adversarial {a.Description}" : null,
        ParsevalBeta > 0 ? $"parseval beta={ParsevalBeta:G4}{(ParsevalRows < 1 ? $" rows={ParsevalRows:G3}" : "")}" : null,
    }.Where(s => s is not null));
}
