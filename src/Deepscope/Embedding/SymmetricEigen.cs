using static TorchSharp.torch;

namespace Deepscope.Embedding;

/// <summary>
/// A few extreme eigenpairs of a large symmetric matrix by block subspace iteration with Rayleigh-Ritz (float64), as
/// ARPACK serves scikit-learn: only products with the operator are needed, so dense N×N matrices cost O(N²) per step
/// and sparse ones O(nnz).
/// </summary>
static class SymmetricEigen
{
    /// <summary>
    /// The <paramref name="k"/> eigenpairs of largest eigenvalue of the operator <paramref name="apply"/> (X (n,p) →
    /// A·X, float64), eigenvalues descending, eigenvectors as columns (n, k).
    /// </summary>
    public static (double[] Values, Tensor Vectors) Largest(Func<Tensor, Tensor> apply, int n, int k, long seed,
        int maxIterations = 1000, double tolerance = 1e-8)
    {
        int p = Math.Min(n, Math.Max(2 * k, k + 8));
        var generator = new Generator((ulong)seed);
        var q = linalg.qr(randn([n, p], ScalarType.Float64, generator: generator)).Q;
        Tensor? values = null, vectors = null;
        for (int iteration = 1; iteration <= maxIterations; iteration++)
        {
            using var step = NewDisposeScope();
            var aq = apply(q);
            if (iteration % 10 == 0 || iteration == maxIterations)
            {
                // Rayleigh-Ritz: the best approximations in span(Q); stop when the wanted residuals are small.
                var h = q.t().mm(aq);
                var (theta, s) = linalg.eigh((h + h.t()) / 2);
                var order = theta.argsort(descending: true).narrow(0, 0, k);
                var wanted = s.index_select(1, order);
                values?.Dispose();
                vectors?.Dispose();
                values = theta.index_select(0, order).MoveToOuterDisposeScope();
                vectors = q.mm(wanted).MoveToOuterDisposeScope();
                var residual = (aq.mm(wanted) - vectors * values.unsqueeze(0)).pow(2).sum(dim: 0).sqrt();
                double scale = Math.Max(values.abs().max().item<double>(), 1e-300);
                if (residual.max().item<double>() <= tolerance * scale) break;
            }
            var next = linalg.qr(aq).Q.MoveToOuterDisposeScope();
            q.Dispose();
            q = next;
        }
        return (values!.data<double>().ToArray(), vectors!);
    }

    /// <summary>
    /// The <paramref name="k"/> eigenpairs of smallest eigenvalue of a dense symmetric positive semi-definite matrix,
    /// ascending, by shift-invert: subspace iteration on (M + σI)⁻¹ through one Cholesky factorisation, which converges
    /// in a few steps where iterating on M itself would crawl.
    /// </summary>
    public static (double[] Values, Tensor Vectors) SmallestPositiveSemidefinite(Tensor m, int k, long seed)
    {
        int n = (int)m.shape[0];
        double shift = 1e-10 * Math.Max(m.diagonal().abs().max().item<double>(), 1e-300);
        Tensor factor;
        while (true)
        {
            var (l, info) = linalg.cholesky_ex(m + shift * eye(n, dtype: ScalarType.Float64));
            if (info.max().item<int>() == 0) { factor = l; break; }
            shift *= 100;
            if (shift > 1e-2 * m.diagonal().abs().max().item<double>())
                throw new DeepscopeException("eigen-solver: the matrix is not positive semi-definite");
        }
        var (_, vectors) = Largest(x => cholesky_solve(x, factor), n, k, seed);
        // Eigenvalues of M itself, from the Rayleigh quotients of its eigenvectors.
        var values = (vectors * m.mm(vectors)).sum(dim: 0).data<double>().ToArray();
        return (values, vectors);
    }
}
