using static TorchSharp.torch;

namespace Deepscope.Robustness;

/// <summary>
/// The fast gradient sign method (Goodfellow et al. 2015): x + eps sign(grad of the cross-entropy), clamped to [0, 1];
/// torchattacks' default eps 8/255.
/// </summary>
public sealed record Fgsm(double Epsilon = 8.0 / 255) : IAttack
{
    public string Name => $"fgsm eps={Epsilon:G4}";

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator random)
    {
        if (Epsilon < 0) throw new DeepscopeException($"FGSM needs eps >= 0, got {Epsilon}");
        using var gradient = AttackMath.LossGradient(model, images, labels);
        using var step = images + Epsilon * gradient.sign();
        return step.clamp(0, 1);
    }
}
