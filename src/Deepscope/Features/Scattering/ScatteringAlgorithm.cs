namespace Deepscope.Features.Scattering;

/// <summary>
/// The 2D scattering transform over backend primitives (Mallat 2012; Bruna and Mallat 2013), in Kymatio's order:
/// S0 = x * phi; S1 = |x * psi(j1, t1)| * phi; S2 = ||x * psi(j1, t1)| * psi(j2, t2)| * phi for j1 &lt; j2, each path
/// computed at the coarsest resolution its band allows. Orientations are batched: one call handles all L (or L^2) paths.
/// </summary>
public static class ScatteringAlgorithm
{
    /// <summary>Number of coefficients per input channel: 1 + J L, plus L^2 J (J - 1) / 2 at order 2.</summary>
    public static int CoefficientCount(int j, int l, int maxOrder) => 1 + j * l + (maxOrder >= 2 ? l * l * j * (j - 1) / 2 : 0);

    /// <summary>
    /// Scatters images (B, H, W) into (B, K, H / 2^J, W / 2^J): order 0, then order 1 by (j1, theta1), then order 2 by
    /// (j1, theta1, j2, theta2), as Kymatio stacks them.
    /// </summary>
    public static TSignal Scatter<TSignal>(IScatteringBackend<TSignal> backend, TSignal images, int j, int maxOrder)
    {
        var padded = backend.Pad(images);
        var parts = new List<TSignal> { backend.LowPass(padded, 0) };
        var spectrum = backend.Fourier(padded);
        var firstOrder = new TSignal[j];
        for (int j1 = 0; j1 < j; j1++)
        {
            firstOrder[j1] = backend.WaveletModulus(spectrum, j1, 0);
            parts.Add(backend.LowPass(firstOrder[j1], j1));
        }
        if (maxOrder >= 2)
            for (int j1 = 0; j1 < j - 1; j1++)
            {
                var firstSpectrum = backend.Fourier(firstOrder[j1]);
                // (B, theta1, theta2) per j2, joined along theta2 so theta1 stays the slower index.
                parts.Add(backend.JoinOrientations([.. Enumerable.Range(j1 + 1, j - 1 - j1)
                    .Select(j2 => backend.LowPass(backend.WaveletModulus(firstSpectrum, j2, j1), j2))]));
            }
        return backend.Coefficients(parts);
    }
}
