using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Robustness;

/// <summary>The norm an attack's budget is measured in.</summary>
public enum AttackNorm { LInf, L2 }

/// <summary>
/// An evasion attack on a classifier in pixel space: images (N, C, H, W) in [0, 1] and their labels in, adversarial
/// images of the same shape in [0, 1] out. The model is called in evaluation mode (see <see cref="AttackRunner"/>);
/// attacks that sample draw from <c>random</c> only, so a seed fixes them.
/// </summary>
public interface IAttack
{
    /// <summary>Short name with the budget, e.g. "pgd-linf eps=0.3 steps=40".</summary>
    string Name { get; }

    Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator random);
}

/// <summary>Small tensor primitives the attacks share: per-example norms, projections and the cross-entropy gradient.</summary>
public static class AttackMath
{
    /// <summary>Per-example L2 norms (N) of a batch (N, ...).</summary>
    public static Tensor L2Norms(Tensor x) => x.flatten(1).square().sum(1).sqrt();

    /// <summary>Per-example L-infinity norms (N).</summary>
    public static Tensor LInfNorms(Tensor x) => x.flatten(1).abs().amax(1);

    /// <summary>A per-example scalar (N) shaped to broadcast over a batch like <paramref name="like"/>.</summary>
    public static Tensor PerExample(Tensor values, Tensor like) => values.view([values.shape[0], .. Enumerable.Repeat(1L, (int)like.dim() - 1)]);

    /// <summary>
    /// Projects <paramref name="adversarial"/> on the intersection of the eps-ball around <paramref name="clean"/> and
    /// the box [lower, upper] (the pixel box [0, 1] by default; null bounds are open). For L2, the ball projection then
    /// the box clamp: clamping only shrinks each coordinate of the perturbation towards the clean value (itself in the
    /// box), so the result stays in the ball.
    /// </summary>
    public static Tensor Project(Tensor adversarial, Tensor clean, double epsilon, AttackNorm norm, double? lower = 0, double? upper = 1)
    {
        using var scope = NewDisposeScope();
        var delta = adversarial - clean;
        delta = norm == AttackNorm.LInf
            ? delta.clamp(-epsilon, epsilon)
            : delta * PerExample((epsilon / (L2Norms(delta) + 1e-12)).clamp_max(1.0), delta);
        var projected = clean + delta;
        return (lower is null && upper is null ? projected : projected.clamp(lower, upper)).MoveToOuterDisposeScope();
    }

    /// <summary>Gradient with respect to x of a loss (the mean cross-entropy by default) of the model's logits on <paramref name="x"/>.</summary>
    public static Tensor LossGradient(nn.Module<Tensor, Tensor> model, Tensor x, Tensor labels, LossFunction? loss = null)
    {
        using var scope = NewDisposeScope();
        using var gradients = enable_grad();
        var input = x.detach().requires_grad_(true);
        var value = (loss ?? Losses.CrossEntropy)(model.forward(input), labels);
        return autograd.grad([value], [input])[0].MoveToOuterDisposeScope();
    }
}
