using Deepscope.Data.Sources;
using Deepscope.Robustness;
using static TorchSharp.torch;

namespace Deepscope.Training.Steps;

/// <summary>
/// Adversarial training (Madry et al. 2018): an attack inside the step, then a training step on the attacked batch.
/// The attack is <see cref="Pgd"/> on the run's loss in a ball of radius <see cref="Epsilon"/> (L-infinity unless
/// <see cref="Norm"/> says L2): <see cref="Steps"/> steps of <see cref="StepSize"/>, from a random start drawn from the
/// step's generator when <see cref="RandomStart"/>. One step of size epsilon without a random start is FGSM (Goodfellow
/// et al. 2015); one step of 1.25 epsilon from a random start is Wong et al.'s (2020) fast adversarial training. The
/// model runs in evaluation mode during the attack (batch-norm statistics do not see adversarial batches twice).
/// With <see cref="Pixels"/> (the run's input transform) distances are in pixels [0, 1], as attacks measure them: the
/// prepared batch is mapped back to pixels, attacked there through the normalisation, and normalised again. Otherwise
/// they are in the units of the prepared input, clamped to [<see cref="Min"/>, <see cref="Max"/>] when given.
/// </summary>
public sealed record AdversarialStep(double Epsilon, double StepSize, int Steps = 1, bool RandomStart = true, double? Min = null, double? Max = null) : ITrainingStep
{
    public AttackNorm Norm { get; init; } = AttackNorm.LInf;
    public InputTransform? Pixels { get; init; }

    /// <summary>The fast gradient sign method: one step of size epsilon from the clean input.</summary>
    public static AdversarialStep Fgsm(double epsilon) => new(epsilon, epsilon, 1, RandomStart: false);

    /// <summary>FGSM from a uniform random start with step 1.25 epsilon (Wong, Rice and Kolter 2020).</summary>
    public static AdversarialStep FastFgsm(double epsilon) => new(epsilon, 1.25 * epsilon, 1, RandomStart: true);

    /// <summary>What the step does, for run records: "pgd-linf eps=0.3 alpha=0.01 steps=40 random-start (pixels)".</summary>
    public string Description => $"{Attack(Loss: null).Name}{(RandomStart ? " random-start" : "")}{(Pixels is null ? "" : " (pixels)")}";

    public StepOutcome Run(StepContext context)
    {
        var attacked = Attack(context);
        var adversarial = new Batch(context.Batch.Names.ToDictionary(n => n, n => n == Fields.Input ? attacked : context.Batch[n]));
        context.Batch = adversarial;
        return SupervisedStep.Instance.Run(context);
    }

    /// <summary>The attacked inputs: the loss of the labels maximised within the epsilon ball.</summary>
    public Tensor Attack(StepContext context)
    {
        if (Epsilon < 0 || StepSize <= 0 || Steps < 1) throw new DeepscopeException($"adversarial step needs epsilon >= 0, a positive step size and at least one step, got {Epsilon}, {StepSize}, {Steps}");
        var model = context.Model;
        model.eval();
        try
        {
            if (Pixels is null) return Attack(context.Loss).Perturb(model, context.Inputs.detach(), context.Labels, context.Random);
            if (Pixels.PerImage) throw new DeepscopeException("adversarial training in pixels needs per-channel normalisation; per-image standardisation cannot be undone");
            using var scope = NewDisposeScope();
            var mean = tensor(Pixels.Mean).view(1, -1, 1, 1);
            var std = tensor(Pixels.Std).view(1, -1, 1, 1);
            var pixels = (context.Inputs.detach() * std + mean).clamp(0, 1);
            // Not disposed: disposing a module would dispose the model it wraps.
            var pixelModel = new PixelSpaceClassifier(model, Pixels);
            var attacked = Attack(context.Loss) with { Lower = 0, Upper = 1 };
            return ((attacked.Perturb(pixelModel, pixels, context.Labels, context.Random) - mean) / std).MoveToOuterDisposeScope();
        }
        finally
        {
            context.Models.First.TrainMode();
        }
    }

    Pgd Attack(LossFunction? Loss) => new(Epsilon, StepSize, Steps, Norm, RandomStart) { Lower = Min, Upper = Max, Loss = Loss };
}
