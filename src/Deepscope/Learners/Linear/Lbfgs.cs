namespace Deepscope.Learners;

/// <summary>
/// Limited-memory BFGS (Nocedal and Wright, Algorithm 7.4: two-loop recursion, backtracking Armijo line search)
/// over a parameter vector small enough to live in managed memory; the objective does the heavy lifting on tensors.
/// </summary>
static class Lbfgs
{
    /// <summary>f(x, gradient) returns the objective and writes its gradient.</summary>
    public delegate double Objective(double[] x, double[] gradient);

    public readonly record struct Result(double[] X, double Value, int Iterations, bool Converged);

    /// <summary>Minimises from <paramref name="x"/> until max |gradient| &lt;= gradientTolerance or maxIterations.</summary>
    public static Result Minimize(Objective f, double[] x, int maxIterations, double gradientTolerance, int memory = 10)
    {
        int n = x.Length;
        var g = new double[n];
        double value = f(x, g);
        var s = new List<double[]>(memory);
        var yv = new List<double[]>(memory);
        var rho = new List<double>(memory);
        var direction = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var alpha = new double[memory];
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            if (MaxAbs(g) <= gradientTolerance) return new Result(x, value, iteration, true);

            // Two-loop recursion: direction = -H g.
            Array.Copy(g, direction, n);
            for (int m = s.Count - 1; m >= 0; m--)
            {
                alpha[m] = rho[m] * Dot(s[m], direction);
                Axpy(-alpha[m], yv[m], direction);
            }
            double gamma = s.Count > 0 ? Dot(s[^1], yv[^1]) / Dot(yv[^1], yv[^1]) : 1.0 / Math.Max(1e-12, Math.Sqrt(Dot(g, g)));
            for (int i = 0; i < n; i++) direction[i] *= -gamma;
            for (int m = 0; m < s.Count; m++)
            {
                double beta = rho[m] * Dot(yv[m], direction);
                Axpy(-(alpha[m] + beta), s[m], direction);
            }
            double slope = Dot(g, direction);
            if (slope >= 0)
            {
                // Not a descent direction (curvature pairs gone stale): restart from steepest descent.
                s.Clear(); yv.Clear(); rho.Clear();
                for (int i = 0; i < n; i++) direction[i] = -g[i] / Math.Max(1e-12, Math.Sqrt(Dot(g, g)));
                slope = Dot(g, direction);
            }

            double step = 1, newValue = double.NaN;
            for (int tries = 0; tries < 40; tries++)
            {
                for (int i = 0; i < n; i++) xNew[i] = x[i] + step * direction[i];
                newValue = f(xNew, gNew);
                if (newValue <= value + 1e-4 * step * slope) break;
                step *= 0.5;
            }
            if (!(newValue <= value)) return new Result(x, value, iteration, false);

            var sk = new double[n];
            var yk = new double[n];
            for (int i = 0; i < n; i++) { sk[i] = xNew[i] - x[i]; yk[i] = gNew[i] - g[i]; }
            double sy = Dot(sk, yk);
            if (sy > 1e-12 * Math.Sqrt(Dot(yk, yk) * Dot(sk, sk)))
            {
                if (s.Count == memory) { s.RemoveAt(0); yv.RemoveAt(0); rho.RemoveAt(0); }
                s.Add(sk); yv.Add(yk); rho.Add(1 / sy);
            }
            (x, xNew) = (xNew, x);
            (g, gNew) = (gNew, g);
            double previous = value;
            value = newValue;
            if (previous - value <= 1e-12 * Math.Max(1, Math.Abs(value))) return new Result(x, value, iteration + 1, MaxAbs(g) <= gradientTolerance);
        }
        return new Result(x, value, maxIterations, MaxAbs(g) <= gradientTolerance);
    }

    static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++) y[i] += a * x[i];
    }

    static double MaxAbs(double[] a)
    {
        double max = 0;
        foreach (var v in a) max = Math.Max(max, Math.Abs(v));
        return max;
    }
}
