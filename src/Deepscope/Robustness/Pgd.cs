using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Robustness;

/// <summary>
/// Projected gradient descent (Madry et al. 2018) on the cross-entropy, in an L-infinity or L2 ball of radius
/// <see cref="Epsilon"/> intersected with [0, 1]. L-inf steps are alpha sign(g); L2 steps are alpha g / |g|. The random
/// start is uniform in the L-inf ball, or for L2 a Gaussian direction scaled to a uniform fraction of eps (torchattacks'
/// PGD and PGDL2). With <see cref="Restarts"/> > 1 each further run starts afresh from a new random point and replaces
/// the examples the earlier runs did not fool. Defaults as torchattacks: L-inf eps 8/255, alpha 2/255, 10 steps; for L2
/// use <see cref="L2"/> (eps 1.0, alpha 0.2). <see cref="Lower"/> and <see cref="Upper"/> move the box for inputs that
/// are not pixels (the adversarial training step's normalised inputs).
/// </summary>
public sealed record Pgd(double Epsilon = 8.0 / 255, double StepSize = 2.0 / 255, int Steps = 10, AttackNorm Norm = AttackNorm.LInf,
    bool RandomStart = true, int Restarts = 1) : IAttack
{
    /// <summary>The box the adversarial input stays in: pixels [0, 1] by default; null bounds are open.</summary>
    public double? Lower { get; init; } = 0;
    public double? Upper { get; init; } = 1;
    /// <summary>The loss the attack ascends; the mean cross-entropy when null.</summary>
    public LossFunction? Loss { get; init; }

    /// <summary>PGD in an L2 ball, with torchattacks' PGDL2 defaults.</summary>
    public static Pgd L2(double epsilon = 1.0, double stepSize = 0.2, int steps = 10) => new(epsilon, stepSize, steps, AttackNorm.L2);

    public string Name => $"pgd-{(Norm == AttackNorm.LInf ? "linf" : "l2")} eps={Epsilon:G4} alpha={StepSize:G4} steps={Steps}{(Restarts > 1 ? $" restarts={Restarts}" : "")}";

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator random)
    {
        if (Epsilon < 0 || StepSize <= 0 || Steps < 0 || Restarts < 1)
            throw new DeepscopeException($"PGD needs eps >= 0, alpha > 0, steps >= 0 and restarts >= 1, got {Epsilon}, {StepSize}, {Steps}, {Restarts}");
        if (Epsilon == 0) return images.detach().clone();  // the ball is the image itself: an eps sweep's first point costs no gradients
        var best = Run(model, images, labels, random);
        for (int r = 1; r < Restarts; r++)
        {
            using var scope = NewDisposeScope();
            using var fooled = Fooled(model, best, labels);
            if (fooled.all().item<bool>()) break;
            var next = Run(model, images, labels, random);
            using (no_grad()) best.copy_(where(AttackMath.PerExample(fooled, images), best, next));
        }
        return best;
    }

    static Tensor Fooled(nn.Module<Tensor, Tensor> model, Tensor x, Tensor labels)
    {
        using var _ = no_grad();
        using var logits = model.forward(x);
        return logits.argmax(1).ne(labels);
    }

    Tensor Run(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator random)
    {
        var clean = images.detach();
        var x = RandomStart ? AttackMath.Project(clean + RandomStartOffset(clean, random), clean, Epsilon, Norm, Lower, Upper) : clean.clone();
        for (int i = 0; i < Steps; i++)
        {
            using var scope = NewDisposeScope();
            var gradient = AttackMath.LossGradient(model, x, labels, Loss);
            var step = Norm == AttackNorm.LInf ? gradient.sign() : gradient / AttackMath.PerExample(AttackMath.L2Norms(gradient) + 1e-10, gradient);
            var next = AttackMath.Project(x + StepSize * step, clean, Epsilon, Norm, Lower, Upper).MoveToOuterDisposeScope();
            x.Dispose();
            x = next;
        }
        return x;
    }

    Tensor RandomStartOffset(Tensor clean, Generator random)
    {
        using var scope = NewDisposeScope();
        if (Norm == AttackNorm.LInf) return empty_like(clean).uniform_(-Epsilon, Epsilon, generator: random).MoveToOuterDisposeScope();
        var direction = empty_like(clean).normal_(generator: random);
        var radius = empty(clean.shape[0]).uniform_(0, 1, generator: random) * Epsilon;
        return (direction * AttackMath.PerExample(radius / AttackMath.L2Norms(direction), clean)).MoveToOuterDisposeScope();
    }
}
