namespace Deepscope.Features.Scattering;

/// <summary>
/// The few primitives the 2D scattering algorithm (<see cref="ScatteringAlgorithm"/>) needs, each batched over images
/// and orientations. "Resolution r" means a signal subsampled by 2^r from the padded grid. A signal holds a batch of
/// images, each with zero, one (theta1) or two (theta1, theta2) orientation axes before its two spatial axes.
/// </summary>
public interface IScatteringBackend<TSignal>
{
    /// <summary>Reflect-pads images (B, H, W) to the padded grid (B, Mp, Np).</summary>
    TSignal Pad(TSignal images);

    /// <summary>The 2D DFT of a real signal (..., m, n).</summary>
    TSignal Fourier(TSignal signal);

    /// <summary>
    /// |x * psi(j, theta)| subsampled by 2^(j - r) for all L orientations at once, from the spectrum of x (..., m, n) at
    /// resolution r: a real signal (..., L, m / 2^(j-r), n / 2^(j-r)) with the new orientation axis last.
    /// </summary>
    TSignal WaveletModulus(TSignal spectrum, int j, int resolution);

    /// <summary>x * phi subsampled to resolution J and unpadded, from x (..., m, n) at resolution r: (..., H / 2^J, W / 2^J).</summary>
    TSignal LowPass(TSignal signal, int resolution);

    /// <summary>Low-passed signals (B, theta1, L, h, w) of different j2, concatenated along their last orientation axis.</summary>
    TSignal JoinOrientations(IReadOnlyList<TSignal> blocks);

    /// <summary>Low-passed signals, each (B, ..., h, w), as the coefficients (B, K, h, w) in the order given.</summary>
    TSignal Coefficients(IReadOnlyList<TSignal> parts);
}
