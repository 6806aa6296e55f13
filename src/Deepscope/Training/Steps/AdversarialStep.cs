using Deepscope.Data.Sources;
using static TorchSharp.torch;

namespace Deepscope.Training.Steps;

/// <summary>
/// Adversarial training (Madry et al. 2018): an attack inside the step, then a training step on the attacked batch.
/// The attack is projected gradient descent on the model's input in an L-infinity ball of radius
/// <see cref="Epsilon"/> around it: <see cref="Steps"/> signed-gradient steps of <see cref="StepSize"/>, from a uniform
/// random start drawn from the step's generator when <see cref="RandomStart"/>; one step of size epsilon without a random
/// start is FGSM (Goodfellow et al. 2015). The model runs in evaluation mode during the attack (batch-norm statistics do
/// not see adversarial batches twice). Distances are in the units of the prepared input (after normalisation), and
/// the attacked input is clamped to [<see cref="Min"/>, <see cref="Max"/>] when they are given.
/// </summary>
public sealed record AdversarialStep(double Epsilon, double StepSize, int Steps = 1, bool RandomStart = true, double? Min = null, double? Max = null) : ITrainingStep
{
    /// <summary>The fast gradient sign method: one step of size epsilon from the clean input.</summary>
    public static AdversarialStep Fgsm(double epsilon) => new(epsilon, epsilon, 1, RandomStart: false);

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
        var clean = context.Inputs.detach();
        model.eval();
        try
        {
            var x = RandomStart ? clean + empty_like(clean).uniform_(-Epsilon, Epsilon, generator: context.Random) : clean.clone();
            for (int i = 0; i < Steps; i++)
            {
                x = Clamp(x).detach().requires_grad_(true);
                using var loss = context.Loss(model.forward(x), context.Labels);
                var gradient = autograd.grad([loss], [x])[0];
                x = clean + (x.detach() + StepSize * gradient.sign() - clean).clamp(-Epsilon, Epsilon);
            }
            return Clamp(x).detach();
        }
        finally
        {
            context.Models.First.TrainMode();
        }
    }

    Tensor Clamp(Tensor x) => Min is null && Max is null ? x : x.clamp(Min, Max);
}
