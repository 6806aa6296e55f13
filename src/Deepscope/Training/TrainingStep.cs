using Deepscope.Data.Sources;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>
/// What a training step reports: its mean loss over <see cref="Count"/> examples, how many it classified correctly
/// (null when the step does not classify) and any other per-step means to log (a GAN's discriminator loss, a mean
/// reward), averaged over the epoch as <c>train_NAME</c>.
/// </summary>
public readonly record struct StepOutcome(double Loss, long? Correct, long Count)
{
    public IReadOnlyDictionary<string, double>? Scalars { get; init; }

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
/// Everything one optimisation step may use: the prepared batch, the model set with an optimizer per model, the run's
/// loss and <see cref="Random"/>, a generator checkpointed with the run: a step that samples (REINFORCE actions,
/// adversarial noise, GAN latents) must draw from it so resumed runs replay exactly.
/// </summary>
public sealed class StepContext
{
    readonly IReadOnlyList<optim.Optimizer> _optimizers;
    readonly double _clipNorm;

    internal StepContext(ModelSet models, IReadOnlyList<optim.Optimizer> optimizers, LossFunction loss, Generator random, double clipNorm,
        TrainingPrecision precision)
    {
        Models = models;
        _optimizers = optimizers;
        Loss = loss;
        Random = random;
        _clipNorm = clipNorm;
        Precision = precision;
    }

    public ModelSet Models { get; }
    public TrainingPrecision Precision { get; }
    public LossFunction Loss { get; }
    public Generator Random { get; }
    /// <summary>The batch with its input prepared (transformed, augmented, normalised); other fields as the source gave them.</summary>
    public Batch Batch { get; internal set; } = null!;
    /// <summary>Optimizer steps taken before this one (0-based global step).</summary>
    public long Step { get; internal set; }
    /// <summary>1-based epoch.</summary>
    public int Epoch { get; internal set; }
    /// <summary>Optimizer steps of the whole run (epochs x batches per epoch).</summary>
    public long TotalSteps { get; internal set; }
    /// <summary>How far training has come, 0 at the first step to 1 at the end: for schedules kept by a step or a model.</summary>
    public double Progress => TotalSteps > 0 ? (double)Step / TotalSteps : 0;

    /// <summary>The first model of the set, as a tensor-to-tensor module.</summary>
    public nn.Module<Tensor, Tensor> Model => Module<nn.Module<Tensor, Tensor>>(Models.First.Name);
    /// <summary>The first model's optimizer.</summary>
    public optim.Optimizer Optimizer => _optimizers[0];
    public Tensor Inputs => Batch[Fields.Input];
    public Tensor Labels => Batch[Fields.Label];

    /// <summary>A model of the set with the forward signature the step needs.</summary>
    public T Module<T>(string name) where T : class => Models[name].Module as T
        ?? throw new DeepscopeException($"model '{name}' is a {Models[name].Module.GetType().Name}, not the {typeof(T).Name} this step needs");

    public optim.Optimizer OptimizerOf(string name) => _optimizers[IndexOf(name)];

    int IndexOf(string name)
    {
        for (int i = 0; i < Models.Models.Count; i++)
            if (Models.Models[i].Name == name) return i;
        throw new DeepscopeException($"the model set has no model '{name}'");
    }

    /// <summary>
    /// Wrap the forward pass and the loss in this (not the backward pass): with <see cref="TrainingPrecision.Bf16"/>
    /// it opens a bf16 autocast region on this thread, otherwise it does nothing.
    /// </summary>
    public IDisposable? MixedPrecision() => Precision == TrainingPrecision.Bf16 ? Autocast.Cpu(ScalarType.BFloat16) : null;

    /// <summary>
    /// Clips the global gradient norm of a model (the first by default) when the run asks for it; call between backward
    /// and the optimizer step.
    /// </summary>
    public void ClipGradients(string? name = null)
    {
        var module = name is null ? Models.First.Module : Models[name].Module;
        if (_clipNorm > 0) nn.utils.clip_grad_norm_(module.parameters().Where(p => p.requires_grad), _clipNorm);
    }
}

/// <summary>
/// One optimisation step. Replace it to change what a step does (adversarial training, REINFORCE, several models);
/// tensors it creates are disposed by the trainer's per-step dispose scope.
/// </summary>
public interface ITrainingStep
{
    StepOutcome Run(StepContext context);

    /// <summary>
    /// The output evaluation metrics score for <see cref="StepContext.Batch"/>, called without gradients and with the
    /// models in evaluation mode: by default the first model's forward pass on the input.
    /// </summary>
    Tensor Predict(StepContext context) => context.Model.forward(context.Inputs);
}

/// <summary>
/// The supervised step: forward, loss against a batch field, backward, optional clipping, optimizer step. With the
/// defaults it is classification (the run's loss, cross-entropy by default, against <c>label</c>); with
/// <see cref="Fields.Target"/> and <see cref="Losses.MeanSquaredError"/> or <see cref="Losses.L1"/> it is regression or
/// image-to-image; with <see cref="Fields.Mask"/> and <see cref="Losses.CrossEntropy"/> or <see cref="Losses.Dice"/> it
/// is per-pixel segmentation.
/// </summary>
public sealed class SupervisedStep(LossFunction? loss = null, string targetField = Fields.Label) : ITrainingStep
{
    public static SupervisedStep Instance { get; } = new();

    public StepOutcome Run(StepContext context)
    {
        var target = context.Batch[targetField];
        context.Optimizer.ClearGradients();
        Tensor output, value;
        using (context.MixedPrecision())
        {
            output = context.Model.forward(context.Inputs);
            value = (loss ?? context.Loss)(output, target);
        }
        value.backward();
        context.ClipGradients();
        context.Optimizer.step();
        return targetField == Fields.Label ? StepOutcome.FromLogits(value, output, target) : new StepOutcome(value.item<float>(), null, target.shape[0]);
    }
}
