using static TorchSharp.torch;

namespace Deepscope.Robustness;

/// <summary>
/// DeepFool (Moosavi-Dezfooli et al. 2016): while an example is still classified correctly, linearise the logits and
/// step to the nearest linearised decision boundary, |f_k - f_y| (w_k - w_y) / |w_k - w_y|^2 for the class k that
/// minimises |f_k - f_y| / |w_k - w_y|, scaled by 1 + overshoot and clamped to [0, 1]. Batched: the Jacobian takes one
/// backward pass per class for the whole batch. Defaults as torchattacks: 50 steps, overshoot 0.02.
/// </summary>
public sealed record DeepFool(int Steps = 50, double Overshoot = 0.02) : IAttack
{
    public string Name => $"deepfool steps={Steps} overshoot={Overshoot:G4}";

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator random)
    {
        if (Steps < 1 || Overshoot < 0) throw new DeepscopeException($"DeepFool needs steps >= 1 and overshoot >= 0, got {Steps}, {Overshoot}");
        var x = images.detach().clone();
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            using var gradients = enable_grad();
            var input = x.detach().requires_grad_(true);
            var logits = model.forward(input);
            var active = logits.argmax(1).eq(labels);
            if (!active.any().item<bool>()) break;
            long classes = logits.shape[1];
            // Rows of the Jacobian: examples are independent in evaluation mode, so d(sum_n z_nk)/dx_n = dz_nk/dx_n.
            var jacobian = stack(Enumerable.Range(0, (int)classes)
                .Select(k => autograd.grad([logits[.., k].sum()], [input], retain_graph: k < classes - 1)[0]), 1);
            using (no_grad())
            {
                var index = labels.view(-1, 1);
                var gaps = logits - logits.gather(1, index);
                var directions = jacobian - jacobian.gather(1, index.view(-1, 1, 1, 1, 1).expand(-1, 1, jacobian.shape[2], jacobian.shape[3], jacobian.shape[4]));
                var directionNorms = directions.flatten(2).square().sum(2).sqrt();
                var isLabel = nn.functional.one_hot(labels, classes).to_type(ScalarType.Bool);
                var distances = (gaps.abs() / (directionNorms + 1e-12)).masked_fill(isLabel, double.PositiveInfinity);
                var nearest = distances.argmin(1, keepdim: true);
                var gap = gaps.gather(1, nearest).squeeze(1).abs();
                var norm = directionNorms.gather(1, nearest).squeeze(1);
                var direction = directions.gather(1, nearest.view(-1, 1, 1, 1, 1).expand(-1, 1, jacobian.shape[2], jacobian.shape[3], jacobian.shape[4])).squeeze(1);
                var delta = direction * AttackMath.PerExample(gap / (norm.square() + 1e-12), direction);
                var next = (x + (1 + Overshoot) * delta).clamp(0, 1);
                x.copy_(where(AttackMath.PerExample(active, x), next, x));
            }
        }
        return x;
    }
}
