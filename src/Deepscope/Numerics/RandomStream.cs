namespace Deepscope.Numerics;

/// <summary>
/// A seeded stream of random numbers, the same in every process and .NET version: xoshiro256** (Blackman and Vigna)
/// seeded through SplitMix64, with uniform doubles, standard normals (Marsaglia's polar method) and Poisson counts
/// (Knuth's product method below mean 10, Hörmann's transformed rejection PTRS above).
/// </summary>
public sealed class RandomStream
{
    ulong _s0, _s1, _s2, _s3;
    double? _spareNormal;

    public RandomStream(ulong seed, params ReadOnlySpan<ulong> stream)
    {
        ulong state = SplitMix64.Derive(seed, stream);
        _s0 = state = SplitMix64.Next(state);
        _s1 = state = SplitMix64.Next(state);
        _s2 = state = SplitMix64.Next(state);
        _s3 = SplitMix64.Next(state);
    }

    public ulong NextBits()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9, t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1), 53 bits.</summary>
    public double NextDouble() => (NextBits() >> 11) * (1.0 / (1UL << 53));

    public double NextNormal()
    {
        if (_spareNormal is { } spare)
        {
            _spareNormal = null;
            return spare;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double factor = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareNormal = v * factor;
        return u * factor;
    }

    public long NextPoisson(double mean)
    {
        if (!(mean >= 0) || double.IsInfinity(mean)) throw new ArgumentOutOfRangeException(nameof(mean), mean, "a Poisson mean is finite and >= 0");
        if (mean == 0) return 0;
        if (mean < 10)
        {
            double limit = Math.Exp(-mean), product = NextDouble();
            long count = 0;
            while (product > limit)
            {
                count++;
                product *= NextDouble();
            }
            return count;
        }
        // PTRS (Hörmann 1993), as numpy's legacy generator uses above mean 10.
        double logMean = Math.Log(mean), b = 0.931 + 2.53 * Math.Sqrt(mean), a = -0.059 + 0.02483 * b;
        double inverseAlpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            double u = NextDouble() - 0.5, v = NextDouble(), us = 0.5 - Math.Abs(u);
            long k = (long)Math.Floor((2 * a / us + b) * u + mean + 0.43);
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.Log(v) + Math.Log(inverseAlpha) - Math.Log(a / (us * us) + b) <= -mean + k * logMean - LogFactorial(k)) return k;
        }
    }

    static double LogFactorial(long k)
    {
        if (k < 2) return 0;
        if (k < 20)
        {
            double sum = 0;
            for (long i = 2; i <= k; i++) sum += Math.Log(i);
            return sum;
        }
        // Stirling's series, exact to double precision at k >= 20.
        double x = k + 1.0;
        return (x - 0.5) * Math.Log(x) - x + 0.5 * Math.Log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
    }
}
