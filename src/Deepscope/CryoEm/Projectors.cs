using static TorchSharp.torch;

namespace Deepscope.CryoEm;

/// <summary>
/// Projections of a cubic volume (Z, Y, X), side N, centre at index N/2 on each axis: image(u, v) = sum over t of
/// V(A^T (u, v, t)) for a rotation A (row-major 3x3, RELION's convention: A maps the map's frame to the view's).
/// Images are (N, N) float32 with their centre at N/2. A projector holds its prepared volume (134 MB for a
/// 128-voxel map in the Fourier projector: 256^3 complex samples) until disposed.
/// </summary>
public interface IProjector : IDisposable
{
    int Size { get; }

    /// <summary>Projections (B, N, N) at <paramref name="rotations"/>.</summary>
    Tensor Project(IReadOnlyList<double[]> rotations);
}

/// <summary>
/// Ray sums through the volume: the reference the Fourier projector is checked against. The volume is first
/// band-limited to its Nyquist sphere and upsampled <c>oversampling</c> times by zero-padding its spectrum (sinc
/// interpolation), so the trilinear samples along the rays, at steps of 1 / oversampling voxel, follow the continuous
/// map the samples stand for: trilinear interpolation on the original grid attenuates the top of the band by up to
/// sinc^2(1/2) = 0.4 and aliases the spectrum's corners, which no projection should depend on. The rays cross the
/// whole cube (sqrt(3) N long).
/// </summary>
public sealed class RealSpaceProjector : IProjector
{
    readonly Tensor _volume;
    readonly int _oversampling;

    public RealSpaceProjector(Tensor volume, int oversampling = 2)
    {
        CheckCube(volume);
        if (oversampling < 1) throw new DeepscopeException($"oversampling must be at least 1, got {oversampling}");
        Size = (int)volume.shape[0];
        _oversampling = oversampling;
        using var scope = NewDisposeScope();
        int m = Size * oversampling, offset = m / 2 - Size / 2;
        var spectrum = fft.fftshift(fft.fftn(fft.ifftshift(volume.to_type(ScalarType.Float32)))) * NyquistSphere(Size);
        var padded = zeros(m, m, m, dtype: ScalarType.ComplexFloat32);
        padded[TensorIndex.Slice(offset, offset + Size), TensorIndex.Slice(offset, offset + Size), TensorIndex.Slice(offset, offset + Size)] = spectrum;
        var upsampled = fft.fftshift(fft.ifftn(fft.ifftshift(padded))).real * Math.Pow(oversampling, 3);
        _volume = upsampled.reshape(1, 1, m, m, m).contiguous().DetachFromDisposeScope();
    }

    public int Size { get; }

    public Tensor Project(IReadOnlyList<double[]> rotations)
    {
        using var scope = NewDisposeScope();
        int m = Size * _oversampling, depth = 2 * (int)Math.Ceiling(Math.Sqrt(3) * m / 2);
        var images = rotations.Select(rotation =>
        {
            // Sample points (t, v, u) -> A^T (u, v, t) on the upsampled grid, normalised for grid_sample (align_corners).
            var grid = SampleGrid(rotation, Size, m, depth, m, uvStep: _oversampling);
            var samples = nn.functional.grid_sample(_volume, grid, mode: GridSampleMode.Bilinear, padding_mode: GridSamplePaddingMode.Zeros, align_corners: true);
            return samples.sum(2).reshape(Size, Size) / _oversampling;
        }).ToList();
        return stack(images).MoveToOuterDisposeScope();
    }

    public void Dispose() => _volume.Dispose();

    /// <summary>
    /// 1 inside the Nyquist sphere (1/2 cycle per voxel), 0 outside, on the centred frequency grid of an m-cube (a
    /// volume zero-padded to m has frequency steps of 1/m cycle per voxel).
    /// </summary>
    internal static Tensor NyquistSphere(int m)
    {
        var k2 = ((arange(m, dtype: ScalarType.Float64) - m / 2) / m).square();
        return (k2.reshape(-1, 1, 1) + k2.reshape(1, -1, 1) + k2.reshape(1, 1, -1) <= 0.25 + 1e-12).to_type(ScalarType.Float32);
    }

    internal static void CheckCube(Tensor volume)
    {
        if (volume.dim() != 3 || volume.shape[0] != volume.shape[1] || volume.shape[1] != volume.shape[2])
            throw new DeepscopeException($"projection needs a cubic volume, got ({string.Join(", ", volume.shape)})");
    }

    /// <summary>
    /// A grid_sample grid (1, depth, n, n, 3) of the points A^T (u, v, t) for centred u, v in uvStep [-n/2, n/2) and t over
    /// <paramref name="depth"/> centred values (one t = 0 when depth is 1), in the normalised coordinates of a
    /// <paramref name="volumeSize"/>-cube whose centre is index volumeSize/2.
    /// </summary>
    internal static Tensor SampleGrid(double[] a, int n, int volumeSize, int depth, int volumeCentreSize, double uvStep = 1)
    {
        var uv = (arange(n, dtype: ScalarType.Float64) - n / 2) * uvStep;
        var t = depth == 1 ? zeros(1, dtype: ScalarType.Float64) : arange(depth, dtype: ScalarType.Float64) - depth / 2;
        var tt = t.reshape(-1, 1, 1);
        var vv = uv.reshape(1, -1, 1);
        var uu = uv.reshape(1, 1, -1);
        // Point in the volume frame: x = A^T (u, v, t), i.e. x_i = sum_j A[j, i] (u, v, t)_j.
        Tensor Axis(int i) => a[i] * uu + a[3 + i] * vv + a[6 + i] * tt;
        double centre = volumeCentreSize / 2, scale = 2.0 / (volumeSize - 1);
        var coordinates = stack([Axis(0), Axis(1), Axis(2)], -1);
        return ((coordinates + centre) * scale - 1).to_type(ScalarType.Float32).unsqueeze(0);
    }
}

/// <summary>
/// The Fourier-slice projector: the volume divided by the gridding correction, zero-padded by <c>padding</c>, its 3D FFT
/// computed once and limited to the Nyquist sphere (as the real-space projector, and RELION's r_max: the spectrum's
/// corners beyond 1/2 cycle per voxel exist only along some directions); a projection is the central slice at A
/// (trilinear interpolation of the real and imaginary parts), optionally multiplied by a CTF and an in-plane phase
/// shift, inverse 2D FFT, cropped to N. Far cheaper than ray sums (N^2 samples instead of N^3).
/// </summary>
public sealed class FourierSliceProjector : IProjector
{
    readonly Tensor _spectrum; // (1, 2, M, M, M): real and imaginary parts, zero frequency at M/2
    readonly int _padded;

    public FourierSliceProjector(Tensor volume, int padding = 2)
    {
        RealSpaceProjector.CheckCube(volume);
        Size = (int)volume.shape[0];
        _padded = Size * padding;
        using var scope = NewDisposeScope();
        int offset = _padded / 2 - Size / 2;
        var padded = zeros(_padded, _padded, _padded, dtype: ScalarType.Float32);
        padded[TensorIndex.Slice(offset, offset + Size), TensorIndex.Slice(offset, offset + Size), TensorIndex.Slice(offset, offset + Size)] = volume.to_type(ScalarType.Float32);
        var spectrum = fft.fftshift(fft.fftn(fft.ifftshift(padded / GriddingWeights(_padded)))) * RealSpaceProjector.NyquistSphere(_padded);
        _spectrum = stack([spectrum.real, spectrum.imag]).unsqueeze(0).contiguous().DetachFromDisposeScope();
    }

    public int Size { get; }

    /// <summary>
    /// What trilinear interpolation of an M-point spectrum does in real space: it multiplies the volume by the inverse
    /// transform of its triangle kernel, sinc^2(x / M) along each axis (0.81 at x = M/4, the box's edge at 2x padding).
    /// Dividing the volume by it first (the gridding correction) makes the slices those of the volume itself.
    /// </summary>
    static Tensor GriddingWeights(int m)
    {
        var x = (arange(m, dtype: ScalarType.Float64) - m / 2) / m;
        var sinc = (Math.PI * x).sin() / (Math.PI * x);
        sinc[m / 2] = 1;
        var w = sinc.square();
        return (w.reshape(-1, 1, 1) * w.reshape(1, -1, 1) * w.reshape(1, 1, -1)).to_type(ScalarType.Float32);
    }

    public Tensor Project(IReadOnlyList<double[]> rotations) => Project(rotations, null);

    /// <summary>
    /// Projections with an optional Fourier filter per image: <paramref name="filter"/>(i, M) returns a complex or real
    /// (M, M) tensor in fft2 order (zero frequency at [0, 0]) for the padded size M (a CTF, a phase shift), or null for none.
    /// </summary>
    public Tensor Project(IReadOnlyList<double[]> rotations, Func<int, int, Tensor?>? filter)
    {
        using var scope = NewDisposeScope();
        var grid = cat(rotations.Select(a => RealSpaceProjector.SampleGrid(a, _padded, _padded, depth: 1, _padded)).ToArray(), 1);
        var slices = nn.functional.grid_sample(_spectrum, grid, mode: GridSampleMode.Bilinear, padding_mode: GridSamplePaddingMode.Zeros, align_corners: true);
        var spectrum = fft.ifftshift(complex(slices[0, 0], slices[0, 1]), [-2, -1]);
        if (filter != null) spectrum = stack(Enumerable.Range(0, rotations.Count).Select(i => filter(i, _padded) is { } f ? spectrum[i] * f : spectrum[i]).ToArray());
        var images = fft.fftshift(fft.ifft2(spectrum), [-2, -1]).real;
        int offset = _padded / 2 - Size / 2;
        return images[TensorIndex.Colon, TensorIndex.Slice(offset, offset + Size), TensorIndex.Slice(offset, offset + Size)].contiguous().MoveToOuterDisposeScope();
    }

    public void Dispose() => _spectrum.Dispose();
}
