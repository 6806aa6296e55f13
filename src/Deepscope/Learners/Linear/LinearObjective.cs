using static TorchSharp.torch;

namespace Deepscope.Learners;

/// <summary>
/// The frame shared by the linear learners: parameters W (D, K) and b (K) packed in one vector, minimised by L-BFGS
/// with the data term evaluated on tensors (two matrix products per evaluation, x never copied). The data term
/// returns its mean loss and the gradient of that loss with respect to the scores (N, K); the L2 penalty
/// ||W||^2 / (2 C N) (b unpenalised) is added here, which is C * sum(loss) + ||W||^2 / 2 divided by C N.
/// </summary>
static class LinearObjective
{
    /// <summary>Mean loss over rows and its gradient with respect to the scores.</summary>
    public delegate (double Loss, Tensor ScoreGradient) DataTerm(Tensor scores);

    public static (Tensor Coef, Tensor Intercept, Lbfgs.Result Result) Fit(TrainingSet data, double c, int maxIterations, double tolerance, DataTerm term)
    {
        long d = data.Features;
        int k = data.ClassCount;
        double n = data.Rows, penalty = 1 / (c * n);
        var x = data.X;
        double Evaluate(double[] theta, double[] gradient)
        {
            using var scope = NewDisposeScope();
            var w = tensor(theta, ScalarType.Float64).to_type(ScalarType.Float32);
            var weights = w.narrow(0, 0, d * k).view(d, k);
            var bias = w.narrow(0, d * k, k);
            var scores = x.mm(weights).add_(bias);
            var (loss, dScores) = term(scores);
            var gradWeights = x.t().mm(dScores).to_type(ScalarType.Float64);
            var gradBias = dScores.sum(0L).to_type(ScalarType.Float64);
            var flat = cat([gradWeights.view(-1), gradBias], 0).contiguous();
            flat.data<double>().CopyTo(gradient);
            double squared = 0;
            for (long i = 0; i < d * k; i++)
            {
                gradient[i] += penalty * theta[i];
                squared += theta[i] * theta[i];
            }
            return loss + 0.5 * penalty * squared;
        }
        var result = Lbfgs.Minimize(Evaluate, new double[d * k + k], maxIterations, tolerance);
        var all = tensor(result.X, ScalarType.Float64).to_type(ScalarType.Float32);
        var coef = all.narrow(0, 0, d * k).view(d, k).contiguous();
        var intercept = all.narrow(0, d * k, k).contiguous();
        all.Dispose();
        return (coef, intercept, result);
    }
}
