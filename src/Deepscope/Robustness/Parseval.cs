using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Robustness;

/// <summary>
/// Parseval networks (Cisse et al. 2017): after every optimizer step each linear and convolution weight, unfolded to a
/// matrix W (outputs x inputs), takes one retraction step towards the Stiefel manifold, W &lt;- (1 + beta) W - beta W W^T W,
/// which drives its singular values to 1 (a Parseval tight frame); with <see cref="RowFraction"/> &lt; 1 only a random
/// subset of rows takes the step (the paper's sampling, cheaper on wide layers), drawn from the run's generator.
/// Convex aggregations (<see cref="ConvexAggregation"/>) are projected back on the simplex after the step.
/// </summary>
public sealed record ParsevalStep(ITrainingStep Inner, double Beta = 3e-4, double RowFraction = 1) : ITrainingStep
{
    public StepOutcome Run(StepContext context)
    {
        var outcome = Inner.Run(context);
        Parseval.Retract(context.Models.First.Module, Beta, RowFraction, context.Random);
        return outcome;
    }

    public Tensor Predict(StepContext context) => Inner.Predict(context);
}

/// <summary>The retraction and the simplex projection, on any module's layers.</summary>
public static class Parseval
{
    /// <summary>One retraction step on every Linear and Conv2d weight, then the simplex projection of every convex aggregation.</summary>
    public static void Retract(nn.Module model, double beta, double rowFraction = 1, Generator? random = null)
    {
        if (beta <= 0 || beta > 0.5) throw new DeepscopeException($"Parseval retraction needs 0 < beta <= 0.5, got {beta}");
        if (rowFraction is <= 0 or > 1) throw new DeepscopeException($"Parseval row fraction must be in (0, 1], got {rowFraction}");
        using var _ = no_grad();
        foreach (var weight in Weights(model))
        {
            using var scope = NewDisposeScope();
            var matrix = weight.view(weight.shape[0], -1);
            long rows = matrix.shape[0], sampled = Math.Max(1, (long)Math.Round(rowFraction * rows));
            if (sampled == rows) matrix.copy_(RetractMatrix(matrix, beta));
            else
            {
                var index = randperm(rows, generator: random).narrow(0, 0, sampled);
                matrix.index_copy_(0, index, RetractMatrix(matrix.index_select(0, index), beta));
            }
        }
        foreach (var aggregation in model.modules().Prepend(model).OfType<ConvexAggregation>()) aggregation.Project();
    }

    /// <summary>(1 + beta) W - beta W W^T W.</summary>
    public static Tensor RetractMatrix(Tensor w, double beta)
    {
        using var scope = NewDisposeScope();
        return ((1 + beta) * w - beta * w.matmul(w.t()).matmul(w)).MoveToOuterDisposeScope();
    }

    /// <summary>The weights the retraction acts on: every Linear and Conv2d weight.</summary>
    public static IEnumerable<Tensor> Weights(nn.Module model) => model.modules().Prepend(model)
        .Where(m => m is TorchSharp.Modules.Linear or TorchSharp.Modules.Conv2d or Models.RoutedConv2d) // the trainer routes convolutions
        .Select(m => m.named_parameters(recurse: false).First(p => p.name == "weight").parameter);

    /// <summary>Euclidean projection of a vector on the probability simplex (Duchi et al. 2008).</summary>
    public static Tensor ProjectOnSimplex(Tensor v)
    {
        using var scope = NewDisposeScope();
        var sorted = v.sort(descending: true).Values;
        var cumulative = sorted.cumsum(0) - 1;
        var k = arange(1, v.shape[0] + 1, dtype: v.dtype);
        var support = (sorted - cumulative / k).gt(0);
        long rho = support.nonzero().max().item<long>();
        var theta = cumulative[rho] / (rho + 1);
        return (v - theta).clamp_min(0).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A convex combination of branches, sum_i a_i branch_i with a on the probability simplex (Parseval networks aggregate
/// a residual block's identity and residual branches this way, so the block stays 1-Lipschitz when the branches are).
/// The weights start uniform; <see cref="Parseval.Retract"/> projects them back on the simplex after each step.
/// </summary>
public sealed class ConvexAggregation : nn.Module<Tensor, Tensor, Tensor>
{
    readonly TorchSharp.Modules.Parameter aggregation;

    public ConvexAggregation() : base(nameof(ConvexAggregation))
    {
        aggregation = new TorchSharp.Modules.Parameter(full(2, 0.5f));
        RegisterComponents();
    }

    public Tensor Weights => aggregation;

    public override Tensor forward(Tensor identity, Tensor residual) => aggregation[0] * identity + aggregation[1] * residual;

    public void Project()
    {
        using var _ = no_grad();
        using var projected = Parseval.ProjectOnSimplex(aggregation);
        aggregation.copy_(projected);
    }
}
