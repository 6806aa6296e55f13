using static TorchSharp.torch;

namespace Deepscope.CryoEm;

/// <summary>The microscope's optics for the contrast transfer function.</summary>
public sealed record CtfOptics
{
    /// <summary>Acceleration voltage in kV.</summary>
    public double VoltageKv { get; init; } = 300;
    /// <summary>Spherical aberration Cs in mm.</summary>
    public double SphericalAberrationMm { get; init; } = 2.7;
    /// <summary>Amplitude contrast fraction.</summary>
    public double AmplitudeContrast { get; init; } = 0.1;

    /// <summary>The relativistic electron wavelength in ångström.</summary>
    public double WavelengthAngstrom
    {
        get
        {
            double volts = VoltageKv * 1000;
            return 12.2642598 / Math.Sqrt(volts * (1 + 0.978466e-6 * volts));
        }
    }
}

/// <summary>One particle's defocus: U and V in ångström (positive = underfocus), the astigmatism angle in degrees.</summary>
public readonly record struct Defocus(double U, double V, double AngleDegrees);

/// <summary>
/// The weak-phase contrast transfer function as RELION and CTFFIND define it: CTF(k) = -(sqrt(1 - A^2) sin(chi) + A cos(chi)),
/// chi(k) = pi lambda dz(theta) |k|^2 - pi/2 Cs lambda^3 |k|^4, dz(theta) = (U + V)/2 + (U - V)/2 cos(2 (theta - angle)).
/// </summary>
public static class Ctf
{
    /// <summary>
    /// The CTF on the frequency grid of a <paramref name="size"/>-point FFT (unshifted order, as fft2 returns it) of pixels
    /// of <paramref name="pixelAngstrom"/>, float32 (size, size).
    /// </summary>
    public static Tensor Grid(int size, double pixelAngstrom, CtfOptics optics, Defocus defocus)
    {
        using var scope = NewDisposeScope();
        var frequencies = fft.fftfreq(size, pixelAngstrom, dtype: ScalarType.Float64);
        var ky = frequencies.unsqueeze(1);
        var kx = frequencies.unsqueeze(0);
        var k2 = ky.square() + kx.square();
        var theta = atan2(ky, kx);
        double lambda = optics.WavelengthAngstrom, cs = optics.SphericalAberrationMm * 1e7, a = optics.AmplitudeContrast;
        var dz = (defocus.U + defocus.V) / 2 + (defocus.U - defocus.V) / 2 * cos(2 * (theta - defocus.AngleDegrees * Math.PI / 180));
        var chi = Math.PI * lambda * dz * k2 - Math.PI / 2 * cs * Math.Pow(lambda, 3) * k2.square();
        var ctf = -(Math.Sqrt(1 - a * a) * sin(chi) + a * cos(chi));
        return ctf.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
