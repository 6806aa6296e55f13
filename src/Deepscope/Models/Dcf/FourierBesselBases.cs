using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Models.Dcf;

/// <summary>One Fourier-Bessel basis function: angular frequency k, radial index q, the Bessel zero j_{k,q} and, for
/// k > 0, whether it is the cosine or the sine member of its pair.</summary>
public sealed record FourierBesselMode(int K, int Q, double Zero, bool Sine);

/// <summary>
/// The discrete Fourier-Bessel bases of DCFNet (Qiu, Cheng, Calderbank and Sapiro, ICML 2018) on a (2 L1 + 1)^2 patch,
/// as the authors' <c>calculate_FB_bases.m</c> defines them: the disc of radius R = L1 + 0.5 pixels is the unit disc;
/// the pairs (k, q) with k &lt;= 15 whose next zero j_{k,q+1} is at most pi R f (f = 2 for L1 &lt; 2, else 1.5) are
/// sorted by j_{k,q}; psi_{k,q}(r, theta) = J_k(r j_{k,q}) / |J_{k+1}(j_{k,q})| inside the unit disc (0 outside), times
/// sqrt(2) cos(k theta) and sqrt(2) sin(k theta) for k &gt; 0; at most (2 L1 + 1)^2 - 1 are kept, and all are divided by
/// the root of their mean squared norm. This gives 6 bases for 3x3 and 14 for 5x5 patches.
/// <para>Orientation: <c>Values[b, row, col]</c> has row and column as in an image (row 0 at the top); the point's
/// coordinates are x = (col - L1) / R and y = (row - L1) / R, and theta = atan2(y, x), as Matlab's cart2pol on its
/// meshgrid (y grows downwards, so theta turns clockwise on screen).</para>
/// </summary>
public sealed class FourierBesselBases
{
    /// <summary>Angular frequencies considered, as in the reference.</summary>
    public const int MaxAngularFrequency = 15;

    /// <summary>The patch's half width L1 (1 for 3x3, 2 for 5x5).</summary>
    public int HalfWidth { get; }
    public int KernelSize => 2 * HalfWidth + 1;
    /// <summary>The bases, (count, KernelSize, KernelSize), rows and columns as an image's.</summary>
    public double[,,] Values { get; }
    public IReadOnlyList<FourierBesselMode> Modes { get; }
    /// <summary>The root mean squared norm the bases were divided by (2.861714 for 3x3).</summary>
    public double Normalizer { get; }
    public int Count => Modes.Count;

    FourierBesselBases(int halfWidth, double[,,] values, IReadOnlyList<FourierBesselMode> modes, double normalizer) =>
        (HalfWidth, Values, Modes, Normalizer) = (halfWidth, values, modes, normalizer);

    static readonly Dictionary<int, FourierBesselBases> Cache = [];

    /// <summary>The bases of a kernelSize x kernelSize patch (odd, >= 3); computed once per size.</summary>
    public static FourierBesselBases ForKernel(int kernelSize)
    {
        if (kernelSize < 3 || kernelSize % 2 == 0)
            throw new DeepscopeException($"Fourier-Bessel bases need an odd kernel size of at least 3, got {kernelSize}");
        lock (Cache)
        {
            if (!Cache.TryGetValue(kernelSize, out var bases)) Cache[kernelSize] = bases = Compute(kernelSize / 2);
            return bases;
        }
    }

    static FourierBesselBases Compute(int halfWidth)
    {
        double radius = halfWidth + 0.5;
        double cutoff = Math.PI * radius * (halfWidth < 2 ? 2 : 1.5);
        int size = 2 * halfWidth + 1, maxCount = size * size - 1;
        var pairs = new List<(int K, int Q, double Zero)>();
        for (int k = 0; k <= MaxAngularFrequency; k++)
        {
            var zeros = Bessel.Zeros(k, cutoff);
            // (k, q) is kept when j_{k,q+1} <= cutoff: every zero below the cutoff but the last one.
            for (int q = 1; q < zeros.Count; q++) pairs.Add((k, q, zeros[q - 1]));
        }
        var modes = new List<FourierBesselMode>();
        foreach (var (k, q, zero) in pairs.OrderBy(p => p.Zero))
        {
            modes.Add(new(k, q, zero, false));
            if (k > 0) modes.Add(new(k, q, zero, true));
        }
        if (modes.Count > maxCount) modes.RemoveRange(maxCount, modes.Count - maxCount);

        var values = new double[modes.Count, size, size];
        double squaredNorms = 0;
        for (int b = 0; b < modes.Count; b++)
        {
            var (k, _, zero, sine) = modes[b];
            double scale = 1 / Math.Abs(Bessel.J(k + 1, zero));
            for (int row = 0; row < size; row++)
                for (int col = 0; col < size; col++)
                {
                    double x = (col - halfWidth) / radius, y = (row - halfWidth) / radius;
                    double r = Math.Sqrt(x * x + y * y), theta = Math.Atan2(y, x);
                    if (r >= 1) continue;
                    double v = scale * Bessel.J(k, r * zero);
                    if (k > 0) v *= Math.Sqrt(2) * (sine ? Math.Sin(k * theta) : Math.Cos(k * theta));
                    values[b, row, col] = v;
                    squaredNorms += v * v;
                }
        }
        double normalizer = Math.Sqrt(squaredNorms / modes.Count);
        for (int b = 0; b < modes.Count; b++)
            for (int row = 0; row < size; row++)
                for (int col = 0; col < size; col++)
                    values[b, row, col] /= normalizer;
        return new FourierBesselBases(halfWidth, values, modes, normalizer);
    }

    /// <summary>The first <paramref name="count"/> bases (all when null) as a float64 array (count, size, size).</summary>
    public double[,,] Take(int? count = null)
    {
        int n = CheckCount(count);
        var result = new double[n, KernelSize, KernelSize];
        Array.Copy(Values, result, n * KernelSize * KernelSize);
        return result;
    }

    /// <summary>The first <paramref name="count"/> bases as a tensor (count, size, size) of <paramref name="dtype"/>.</summary>
    public Tensor ToTensor(int? count = null, ScalarType dtype = ScalarType.Float32)
    {
        using var values = tensor(Take(count));
        return values.to_type(dtype);
    }

    /// <summary>Checks a truncation K against the available bases; null means all of them.</summary>
    public int CheckCount(int? count) => count switch
    {
        null => Count,
        >= 1 when count <= Count => count.Value,
        _ => throw new DeepscopeException($"a {KernelSize}x{KernelSize} kernel has {Count} Fourier-Bessel bases; K must be 1..{Count}, got {count}"),
    };
}
