using static TorchSharp.torch;

namespace Deepscope.Features.Scattering;

/// <summary>
/// The few primitives the 2D scattering algorithm (<see cref="ScatteringAlgorithm"/>) needs, each batched over every
/// leading dimension. "Resolution r" means a signal subsampled by 2^r from the padded grid.
/// </summary>
public interface IScatteringBackend
{
    /// <summary>Reflect-pads images (B, H, W) to the padded grid (B, Mp, Np).</summary>
    Tensor Pad(Tensor images);

    /// <summary>The 2D DFT of a real signal (..., m, n) as a complex tensor of the same shape.</summary>
    Tensor Fourier(Tensor signal);

    /// <summary>
    /// |x * psi(j, theta)| subsampled by 2^(j - r) for all L orientations at once, from the spectrum (..., m, n) of x at
    /// resolution r: a real tensor (..., L, m / 2^(j-r), n / 2^(j-r)).
    /// </summary>
    Tensor WaveletModulus(Tensor spectrum, int j, int resolution);

    /// <summary>x * phi subsampled to resolution J and unpadded, from x (..., m, n) at resolution r: (..., H / 2^J, W / 2^J).</summary>
    Tensor LowPass(Tensor signal, int resolution);
}
