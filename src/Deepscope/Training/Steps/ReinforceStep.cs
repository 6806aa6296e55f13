using static TorchSharp.torch;

namespace Deepscope.Training.Steps;

/// <summary>
/// What a policy model returns for a batch: class logits (N, K) of its final decision, the log-probabilities
/// (N, T) of the T actions it sampled on the way (glimpse locations), and its baseline's reward predictions (N, T).
/// </summary>
public sealed record PolicyOutput(Tensor Logits, Tensor ActionLogProbabilities, Tensor Baselines);

/// <summary>A model that samples actions: every random number it draws must come from <paramref name="random"/> (the step's checkpointed generator).</summary>
public interface IPolicyModel
{
    PolicyOutput Forward(Tensor input, Generator random);

    /// <summary>How far training has come (0 to 1), told before every step: for exploration that anneals.</summary>
    void SetTrainingProgress(double progress) { }
}

/// <summary>
/// The hybrid loss of the recurrent attention model (Mnih et al. 2014): cross-entropy of the final classification,
/// plus REINFORCE (Williams 1992) on the sampled actions with reward 1 when the classification is correct, else 0, its
/// variance reduced by a learned baseline b: -mean over examples of sum_t log pi(a_t) (R - b_t) with b detached, plus
/// the baseline's mean squared error to R. <see cref="ReinforceWeight"/> and <see cref="BaselineWeight"/> scale the
/// last two terms. Logs the mean reward as <c>train_reward</c>.
/// </summary>
public sealed record ReinforceStep(double ReinforceWeight = 1, double BaselineWeight = 1, string Model = ModelNames.Model) : ITrainingStep
{
    public StepOutcome Run(StepContext context)
    {
        var policy = context.Module<IPolicyModel>(Model);
        var optimizer = context.OptimizerOf(Model);
        optimizer.ClearGradients();
        policy.SetTrainingProgress(context.Progress);
        var labels = context.Labels;
        Tensor loss, logits, reward;
        using (context.MixedPrecision())
        {
            var output = policy.Forward(context.Inputs, context.Random);
            logits = output.Logits;
            (loss, reward) = HybridLoss(output, labels, context.Loss(logits, labels));
        }
        loss.backward();
        context.ClipGradients(Model);
        optimizer.step();
        return StepOutcome.FromLogits(loss, logits, labels) with
        {
            Scalars = new Dictionary<string, double> { ["reward"] = reward.mean().item<float>() },
        };
    }

    /// <summary>The hybrid loss for <paramref name="output"/> given the classification loss, and the reward (N, T) it used.</summary>
    public (Tensor Loss, Tensor Reward) HybridLoss(PolicyOutput output, Tensor labels, Tensor classificationLoss)
    {
        var reward = output.Logits.argmax(1).eq(labels).to_type(ScalarType.Float32).unsqueeze(1).expand_as(output.Baselines);
        var advantage = reward - output.Baselines.detach();
        var reinforce = -(output.ActionLogProbabilities * advantage).sum(1).mean();
        var baseline = nn.functional.mse_loss(output.Baselines, reward);
        return (classificationLoss + ReinforceWeight * reinforce + BaselineWeight * baseline, reward);
    }

    /// <summary>The final classification's logits (actions still sampled from the step's generator).</summary>
    public Tensor Predict(StepContext context) => context.Module<IPolicyModel>(Model).Forward(context.Inputs, context.Random).Logits;
}
