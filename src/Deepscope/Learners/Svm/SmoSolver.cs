namespace Deepscope.Learners;

/// <summary>Rows of the kernel matrix K of one binary problem (length n each), usually from a cache.</summary>
interface IKernelRows
{
    int Count { get; }
    ReadOnlySpan<float> Row(int i);
    double Diagonal(int i);
}

/// <summary>
/// Sequential minimal optimisation for the C-SVM dual: minimise 1/2 a^T Q a - e^T a subject to 0 &lt;= a_i &lt;= C and
/// y^T a = 0, with Q_ij = y_i y_j K_ij. Working pairs are chosen by the second-order rule of Fan, Chen and Lin (2005)
/// (the maximal violating i, then the j that most decreases the objective under a second-order model), as in
/// LIBSVM; stopping when the maximal violation m(a) - M(a) is below eps. Without shrinking: the gradient update is
/// one pass over n per iteration, cheap next to the kernel rows it needs.
/// </summary>
static class SmoSolver
{
    const double Tau = 1e-12;

    public sealed record Solution(double[] Alpha, double Rho, double Objective, int Iterations, bool Converged);

    /// <param name="y">+1 / -1 labels.</param>
    public static Solution Solve(IKernelRows kernel, sbyte[] y, double c, double eps, int maxIterations)
    {
        int n = kernel.Count;
        var alpha = new double[n];
        var gradient = new double[n];
        Array.Fill(gradient, -1.0);
        int iteration = 0;
        bool converged = false;
        for (; iteration < maxIterations; iteration++)
        {
            if (!SelectWorkingSet(kernel, y, alpha, gradient, c, eps, out int i, out int j)) { converged = true; break; }
            var ki = kernel.Row(i);
            var kj = kernel.Row(j);
            double kii = kernel.Diagonal(i), kjj = kernel.Diagonal(j), kij = ki[j];
            double quad = Math.Max(kii + kjj - 2 * kij, Tau);
            double oldI = alpha[i], oldJ = alpha[j];
            double ai = oldI, aj = oldJ;
            if (y[i] != y[j])
            {
                double delta = (-gradient[i] - gradient[j]) / quad, diff = ai - aj;
                ai += delta;
                aj += delta;
                if (diff > 0) { if (aj < 0) { aj = 0; ai = diff; } }
                else if (ai < 0) { ai = 0; aj = -diff; }
                if (diff > 0) { if (ai > c) { ai = c; aj = c - diff; } }
                else if (aj > c) { aj = c; ai = c + diff; }
            }
            else
            {
                double delta = (gradient[i] - gradient[j]) / quad, sum = ai + aj;
                ai -= delta;
                aj += delta;
                if (sum > c) { if (ai > c) { ai = c; aj = sum - c; } }
                else if (aj < 0) { aj = 0; ai = sum; }
                if (sum > c) { if (aj > c) { aj = c; ai = sum - c; } }
                else if (ai < 0) { ai = 0; aj = sum; }
            }
            alpha[i] = ai;
            alpha[j] = aj;
            // G_t += Q_ti dai + Q_tj daj with Q_ti = y_t y_i K_ti.
            double di = (ai - oldI) * y[i], dj = (aj - oldJ) * y[j];
            for (int t = 0; t < n; t++) gradient[t] += y[t] * (ki[t] * di + kj[t] * dj);
        }
        double objective = 0;
        for (int t = 0; t < n; t++) objective += alpha[t] * (gradient[t] - 1);
        return new Solution(alpha, Rho(y, alpha, gradient, c), objective / 2, iteration, converged);
    }

    /// <summary>WSS 2 of Fan et al. (2005); false when the pair's violation is below eps (optimal).</summary>
    static bool SelectWorkingSet(IKernelRows kernel, sbyte[] y, double[] alpha, double[] gradient, double c, double eps, out int i, out int j)
    {
        int n = alpha.Length;
        double gMax = double.NegativeInfinity;
        i = -1;
        j = -1;
        for (int t = 0; t < n; t++)
        {
            // I_up: y=+1 below C, or y=-1 above 0; the violation is -y_t G_t.
            if (y[t] > 0 ? alpha[t] < c : alpha[t] > 0)
            {
                double v = -y[t] * gradient[t];
                if (v >= gMax) { gMax = v; i = t; }
            }
        }
        if (i < 0) return false;
        var ki = kernel.Row(i);
        double kii = kernel.Diagonal(i), gMax2 = double.NegativeInfinity, best = double.PositiveInfinity;
        for (int t = 0; t < n; t++)
        {
            // I_low: y=+1 above 0, or y=-1 below C; M(a) = min over it of -y_t G_t.
            if (!(y[t] > 0 ? alpha[t] > 0 : alpha[t] < c)) continue;
            double v = y[t] * gradient[t];
            if (v >= gMax2) gMax2 = v;
            double gradDiff = gMax + v;
            if (gradDiff > 0)
            {
                double quad = Math.Max(kii + kernel.Diagonal(t) - 2 * ki[t], Tau);
                double decrease = -gradDiff * gradDiff / quad;
                if (decrease <= best) { best = decrease; j = t; }
            }
        }
        return gMax + gMax2 >= eps && j >= 0;
    }

    /// <summary>The bias: mean of y_t G_t over free vectors, else the middle of the feasible interval (LIBSVM).</summary>
    static double Rho(sbyte[] y, double[] alpha, double[] gradient, double c)
    {
        double upper = double.PositiveInfinity, lower = double.NegativeInfinity, sumFree = 0;
        int free = 0;
        for (int t = 0; t < alpha.Length; t++)
        {
            double yg = y[t] * gradient[t];
            if (alpha[t] >= c) { if (y[t] < 0) upper = Math.Min(upper, yg); else lower = Math.Max(lower, yg); }
            else if (alpha[t] <= 0) { if (y[t] > 0) upper = Math.Min(upper, yg); else lower = Math.Max(lower, yg); }
            else { free++; sumFree += yg; }
        }
        return free > 0 ? sumFree / free : (upper + lower) / 2;
    }
}
