namespace Deepscope.Numerics;

/// <summary>
/// Bessel functions of the first kind J_n of integer order and their positive zeros j_{n,q}, in double precision.
/// J_n(x) = (1/2pi) * integral over one period of cos(n t - x sin t) dt (Bessel's integral): the integrand is periodic and
/// analytic, so the trapezoid rule with M points converges geometrically once M exceeds n + x (its error is of the
/// order of J_{M-n}(x)); the rule below takes enough points for machine precision. Zeros are bracketed by sign changes
/// on a grid finer than their spacing (> pi - 0.1 for every order) and refined by Newton's method on the bracket.
/// </summary>
public static class Bessel
{
    /// <summary>J_n(x) for integer n (J_{-n} = (-1)^n J_n) and real x.</summary>
    public static double J(int n, double x)
    {
        if (!double.IsFinite(x)) throw new ArgumentOutOfRangeException(nameof(x), x, "Bessel J needs a finite argument");
        int order = Math.Abs(n);
        // Aliasing error ~ J_{M-n}(x), which is below 1e-17 once M - n > |x| + 12 |x|^(1/3) + 20.
        int points = 2 * (int)Math.Ceiling(0.5 * (order + Math.Abs(x) + 12 * Math.Cbrt(Math.Abs(x)) + 24));
        double sum = 0;
        for (int i = 0; i < points; i++)
        {
            double t = 2 * Math.PI * i / points;
            sum += Math.Cos(order * t - x * Math.Sin(t));
        }
        double value = sum / points;
        return n < 0 && (order & 1) == 1 ? -value : value;
    }

    /// <summary>The derivative J_n'(x) = (J_{n-1}(x) - J_{n+1}(x)) / 2.</summary>
    public static double JDerivative(int n, double x) => 0.5 * (J(n - 1, x) - J(n + 1, x));

    /// <summary>The positive zeros of J_n not above <paramref name="upTo"/>, ascending (x = 0 is not counted).</summary>
    public static IReadOnlyList<double> Zeros(int n, double upTo)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "zeros are listed for orders n >= 0");
        var zeros = new List<double>();
        const double step = 0.25;
        // J_n has no zero in (0, n] (the first zero exceeds n), so the scan starts there, away from the zero at x = 0.
        double a = Math.Max(n, step), fa = J(n, a);
        while (a < upTo)
        {
            double b = a + step, fb = J(n, b);
            if (fa == 0) zeros.Add(a);
            else if (Math.Sign(fa) != Math.Sign(fb) && fb != 0)
            {
                double zero = Refine(n, a, b, fa);
                if (zero <= upTo) zeros.Add(zero);
            }
            (a, fa) = (b, fb);
        }
        return zeros;
    }

    /// <summary>The q-th positive zero j_{n,q} (q >= 1).</summary>
    public static double Zero(int n, int q)
    {
        if (q < 1) throw new ArgumentOutOfRangeException(nameof(q), q, "zeros are numbered from 1");
        // McMahon's estimate (n/2 + q - 1/4) pi bounds j_{n,q} from above by less than n + 2 for every n, q.
        var zeros = Zeros(n, (0.5 * n + q - 0.25) * Math.PI + n + 4);
        return zeros[q - 1];
    }

    /// <summary>Newton's method kept inside the bracket [a, b] by bisection.</summary>
    static double Refine(int n, double a, double b, double fa)
    {
        double x = 0.5 * (a + b);
        for (int iteration = 0; iteration < 100; iteration++)
        {
            double fx = J(n, x);
            if (fx == 0) return x;
            if (Math.Sign(fx) == Math.Sign(fa)) (a, fa) = (x, fx); else b = x;
            double next = x - fx / JDerivative(n, x);
            if (next <= a || next >= b) next = 0.5 * (a + b);
            if (Math.Abs(next - x) <= 1e-15 * x) return next;
            x = next;
        }
        return x;
    }
}
