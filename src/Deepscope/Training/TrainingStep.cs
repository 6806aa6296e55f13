using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>A loss over a batch's model output and labels, reduced to a scalar.</summary>
public delegate Tensor LossFunction(Tensor output, Tensor labels);

/// <summary>What a training step reports: mean loss and how many of its examples were classified correctly.</summary>
public readonly record struct StepOutcome(double Loss, long Correct, long Count)
{
    /// <summary>Outcome of a classification batch from its scalar loss and logits (N, classes).</summary>
    public static StepOutcome FromLogits(Tensor loss, Tensor logits, Tensor labels)
    {
        using var predicted = logits.argmax(1);
        using var matches = predicted.eq(labels);
        using var hits = matches.sum();
        return new StepOutcome(loss.item<float>(), hits.item<long>(), labels.shape[0]);
    }
}

/// <summary>
/// Everything one optimisation step may use. <see cref="Random"/> is a generator checkpointed with the run: a step that
/// samples (REINFORCE actions, adversarial noise) must draw from it so resumed runs replay exactly.
/// </summary>
public sealed class StepContext
{
    internal StepContext(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, LossFunction loss, Generator random, double clipNorm,
        TrainingPrecision precision = TrainingPrecision.Fp32)
    {
        Model = model;
        Optimizer = optimizer;
        Loss = loss;
        Random = random;
        _clipNorm = clipNorm;
        Precision = precision;
    }

    readonly double _clipNorm;

    public TrainingPrecision Precision { get; }

    /// <summary>
    /// Wrap the forward pass and the loss in this (not the backward pass): with <see cref="TrainingPrecision.Bf16"/>
    /// it opens a bf16 autocast region on this thread, otherwise it does nothing.
    /// </summary>
    public IDisposable? MixedPrecision() => Precision == TrainingPrecision.Bf16 ? Autocast.Cpu(ScalarType.BFloat16) : null;

    public nn.Module<Tensor, Tensor> Model { get; }
    public optim.Optimizer Optimizer { get; }
    public LossFunction Loss { get; }
    public Generator Random { get; }
    /// <summary>The batch, prepared, augmented and normalised.</summary>
    public Tensor Inputs { get; internal set; } = null!;
    public Tensor Labels { get; internal set; } = null!;
    /// <summary>Optimizer steps taken before this one (0-based global step).</summary>
    public long Step { get; internal set; }
    /// <summary>1-based epoch.</summary>
    public int Epoch { get; internal set; }

    /// <summary>Clips the global gradient norm when the run asks for it; call between backward and the optimizer step.</summary>
    public void ClipGradients()
    {
        if (_clipNorm > 0) nn.utils.clip_grad_norm_(Model.parameters().Where(p => p.requires_grad), _clipNorm);
    }
}

/// <summary>
/// One optimisation step. Replace it to change what a step does (adversarial training, REINFORCE, several forward
/// passes); tensors it creates are disposed by the trainer's per-step dispose scope.
/// </summary>
public interface ITrainingStep
{
    StepOutcome Run(StepContext context);
}

/// <summary>The supervised step: forward, loss, backward, optional clipping, optimizer step.</summary>
public sealed class SupervisedStep : ITrainingStep
{
    public static SupervisedStep Instance { get; } = new();

    public StepOutcome Run(StepContext context)
    {
        context.Optimizer.zero_grad();
        Tensor output, loss;
        using (context.MixedPrecision())
        {
            output = context.Model.forward(context.Inputs);
            loss = context.Loss(output, context.Labels);
        }
        loss.backward();
        context.ClipGradients();
        context.Optimizer.step();
        return StepOutcome.FromLogits(loss, output, context.Labels);
    }
}

public static class Losses
{
    /// <summary>Mean cross-entropy of logits (N, classes) against class indices (N).</summary>
    public static LossFunction CrossEntropy { get; } = (output, labels) => nn.functional.cross_entropy(output, labels);
}
