using static TorchSharp.torch;

namespace Deepscope.Robustness;

/// <summary>
/// Carlini and Wagner's (2017) L2 attack, untargeted: minimise |x' - x|^2 + c max(z_y - max_{k != y} z_k, -kappa) over
/// x' = (tanh(w) + 1) / 2 (so x' stays in [0, 1]) with Adam, keeping per example the smallest successful x'. The best
/// other logit masks the true class with -infinity, so it is right when every logit is negative. With
/// <see cref="SearchSteps"/> > 1 a per-example binary search over c follows: c halves towards the last failure after a
/// success and grows tenfold while no upper bound is known. Examples never fooled are returned clean. Defaults as
/// torchattacks: c 1, kappa 0, 50 steps, lr 0.01, one search step, Adam restarted per search step.
/// </summary>
public sealed record CarliniWagnerL2(double C = 1, double Kappa = 0, int Steps = 50, double LearningRate = 0.01, int SearchSteps = 1) : IAttack
{
    public string Name => $"cw-l2 c={C:G4} kappa={Kappa:G4} steps={Steps}{(SearchSteps > 1 ? $" search={SearchSteps}" : "")}";

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator random)
    {
        if (C <= 0 || Kappa < 0 || Steps < 1 || LearningRate <= 0 || SearchSteps < 1)
            throw new DeepscopeException($"CW needs c > 0, kappa >= 0, steps >= 1, lr > 0 and search steps >= 1, got {C}, {Kappa}, {Steps}, {LearningRate}, {SearchSteps}");
        long n = images.shape[0];
        var clean = images.detach();
        var best = clean.clone();
        using var bestDistance = full(n, double.PositiveInfinity, ScalarType.Float32);
        using var c = full(n, C, ScalarType.Float32);
        using var lower = zeros(n);
        using var upper = full(n, 1e10f, ScalarType.Float32);
        for (int search = 0; search < SearchSteps; search++)
        {
            using var scope = NewDisposeScope();
            var succeeded = Optimise(model, clean, labels, c, best, bestDistance);
            if (search == SearchSteps - 1) break;
            upper.copy_(where(succeeded, minimum(upper, c), upper));
            lower.copy_(where(succeeded, lower, maximum(lower, c)));
            c.copy_(where(upper.lt(1e9), (lower + upper) / 2, c * 10));
        }
        return best;
    }

    /// <summary>One run of Adam at fixed per-example c; updates best/bestDistance and returns which examples it fooled.</summary>
    Tensor Optimise(nn.Module<Tensor, Tensor> model, Tensor clean, Tensor labels, Tensor c, Tensor best, Tensor bestDistance)
    {
        const double beta1 = 0.9, beta2 = 0.999, adamEpsilon = 1e-8;
        // atanh(2x - 1), clamped so that pixels at exactly 0 or 1 stay finite.
        var w = (clean * 2 - 1).clamp(-1 + 1e-6, 1 - 1e-6).atanh();
        var moment = zeros_like(w);
        var second = zeros_like(w);
        var succeeded = zeros(clean.shape[0], ScalarType.Bool);
        double previousCost = double.PositiveInfinity;
        int checkEvery = Math.Max(Steps / 10, 1);
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            using var gradients = enable_grad();
            var variable = w.detach().requires_grad_(true);
            var adversarial = (variable.tanh() + 1) / 2;
            var distance = (adversarial - clean).flatten(1).square().sum(1);
            var logits = model.forward(adversarial);
            var cost = distance.sum() + (c * Margin(logits, labels)).sum();
            var gradient = autograd.grad([cost], [variable])[0];
            using (no_grad())
            {
                int t = step + 1;
                moment.mul_(beta1).add_(gradient, alpha: 1 - beta1);
                second.mul_(beta2).addcmul_(gradient, gradient, value: 1 - beta2);
                var denominator = second.sqrt() / Math.Sqrt(1 - Math.Pow(beta2, t)) + adamEpsilon;
                w.sub_(LearningRate / (1 - Math.Pow(beta1, t)) * moment / denominator);

                var fooled = logits.argmax(1).ne(labels);
                succeeded.logical_or_(fooled);
                var better = fooled.logical_and(distance.lt(bestDistance));
                bestDistance.copy_(where(better, distance, bestDistance));
                best.copy_(where(AttackMath.PerExample(better, best), adversarial, best));
            }
            // Stop early when the cost stopped decreasing (torchattacks checks every tenth of the steps).
            if (step % checkEvery == 0)
            {
                double value = cost.item<float>();
                if (value > previousCost) break;
                previousCost = value;
            }
        }
        w.Dispose(); moment.Dispose(); second.Dispose();
        return succeeded;
    }

    /// <summary>max(z_y - max_{k != y} z_k, -kappa) per example.</summary>
    Tensor Margin(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var isLabel = nn.functional.one_hot(labels, logits.shape[1]).to_type(ScalarType.Bool);
        var real = logits.gather(1, labels.unsqueeze(1)).squeeze(1);
        var other = logits.masked_fill(isLabel, double.NegativeInfinity).amax(1);
        return (real - other).clamp_min(-Kappa).MoveToOuterDisposeScope();
    }
}
