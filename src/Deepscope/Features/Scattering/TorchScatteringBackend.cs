using static TorchSharp.torch;

namespace Deepscope.Features.Scattering;

/// <summary>
/// The scattering primitives on TorchSharp tensors of one device and dtype, with every filter precomputed there.
/// Wavelets act in the Fourier domain: one complex product per orientation, the subsampling as a fold of the spectrum
/// (Kymatio's subsample_fourier) fused with it, one inverse FFT at the coarse size, then the modulus. The low-pass is
/// separable and applied in space as two small matrix products: exactly Kymatio's periodic convolution with phi,
/// subsampling and unpadding, at a fraction of the cost of an FFT round trip.
/// </summary>
public sealed class TorchScatteringBackend : IScatteringBackend<Tensor>, IDisposable
{
    readonly int _l;
    readonly Tensor _padRows, _padColumns;
    readonly Dictionary<(int J, int Resolution), (Tensor Filters, int Subsampling)> _wavelets = [];
    readonly Tensor[] _lowPassRows, _lowPassColumnsT;

    public Device Device { get; }
    public ScalarType DType { get; }

    public TorchScatteringBackend(MorletFilterBank bank, int height, int width, Device device, ScalarType dtype)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new DeepscopeException($"scattering: input must be float32 or float64, got {dtype}");
        (_l, Device, DType) = (bank.L, device, dtype);
        var complexType = dtype == ScalarType.Float32 ? ScalarType.ComplexFloat32 : ScalarType.ComplexFloat64;
        using var scope = NewDisposeScope();
        _padRows = Keep(tensor(KymatioPadding.SourceIndices(height, bank.M)));
        _padColumns = Keep(tensor(KymatioPadding.SourceIndices(width, bank.N)));

        for (int j = 0; j < bank.J; j++)
            for (int r = 0; r <= j && r < Math.Max(bank.J - 1, 1); r++)
            {
                int k = 1 << (j - r), m = bank.M >> r, n = bank.N >> r;
                var filters = new double[bank.L * m * n];
                for (int theta = 0; theta < bank.L; theta++)
                    Array.Copy(bank.Psi(j, theta, r), 0, filters, theta * m * n, m * n);
                // Folding k x k aliases averages them (Kymatio's subsample_fourier); the 1/k^2 lives in the filter,
                // stored as (coarse frequency, alias, L) for the batched product in WaveletModulus ((L, m, n) when k = 1).
                var t = tensor(filters, ScalarType.Float64).div_(k * k).to_type(complexType)
                    .view(bank.L, k, m / k, k, n / k).permute(2, 4, 1, 3, 0).reshape(m / k * (n / k), k * k, bank.L);
                _wavelets[(j, r)] = (Keep(k == 1 ? t.view(m, n, bank.L).permute(2, 0, 1).contiguous() : t.contiguous()), k);
            }

        _lowPassRows = new Tensor[bank.J];
        _lowPassColumnsT = new Tensor[bank.J];
        for (int r = 0; r < bank.J; r++)
        {
            var (rows, columns) = bank.LowPassMatrices(r);
            _lowPassRows[r] = Keep(tensor(rows, ScalarType.Float64).view(bank.OutputSize(bank.M), bank.M >> r).to_type(DType));
            _lowPassColumnsT[r] = Keep(tensor(columns, ScalarType.Float64).view(bank.OutputSize(bank.N), bank.N >> r).t().to_type(DType).contiguous());
        }
    }

    /// <summary>Moves a filter to the device and out of every dispose scope: the backend owns it.</summary>
    Tensor Keep(Tensor t) => t.to(Device).DetachFromDisposeScope();

    public Tensor Pad(Tensor images) => images.index_select(-2, _padRows).index_select(-1, _padColumns);

    public Tensor Fourier(Tensor signal) => fft.fft2(signal);

    public Tensor WaveletModulus(Tensor spectrum, int j, int resolution)
    {
        var (filters, k) = _wavelets[(j, resolution)];
        long[] lead = spectrum.shape[..^2];
        long m = spectrum.shape[^2], n = spectrum.shape[^1];
        Tensor folded;
        if (k == 1)
            folded = spectrum.unsqueeze(-3) * filters;
        else
        {
            // Subsampling by k folds the k x k aliases of each coarse frequency p: for every p, a product of the
            // (signals x aliases) spectrum values with the (aliases x orientations) filter values. The result is made
            // contiguous again because the FFT is several times slower on strided data.
            long coarse = m / k * (n / k);
            var aliases = spectrum.reshape(-1, k, m / k, k, n / k).permute(2, 4, 0, 1, 3).reshape(coarse, -1, k * k);
            folded = bmm(aliases, filters).permute(1, 2, 0).contiguous().view([.. lead, _l, m / k, n / k]);
        }
        return Modulus(fft.ifft2(folded));
    }

    /// <summary>
    /// |z| of a complex tensor as a real tensor. With autograd, a norm whose gradient at 0 is 0 (like Kymatio's
    /// ModulusStable); without, sqrt(re^2 + im^2) on the real and imaginary planes, three times faster on CPU.
    /// </summary>
    static Tensor Modulus(Tensor z) => z.requires_grad
        ? linalg.vector_norm(view_as_real(z), dims: [-1])
        : z.real.square().addcmul_(z.imag, z.imag, 1).sqrt_();

    public Tensor LowPass(Tensor signal, int resolution) =>
        _lowPassRows[resolution].matmul(signal.matmul(_lowPassColumnsT[resolution]));

    public Tensor JoinOrientations(IReadOnlyList<Tensor> blocks) => blocks.Count == 1 ? blocks[0] : cat([.. blocks], -3);

    public Tensor Coefficients(IReadOnlyList<Tensor> parts)
    {
        long batch = parts[0].shape[0];
        return cat([.. parts.Select(p => p.reshape(batch, -1, p.shape[^2], p.shape[^1]))], 1);
    }

    public void Dispose()
    {
        _padRows.Dispose();
        _padColumns.Dispose();
        foreach (var (filters, _) in _wavelets.Values) filters.Dispose();
        foreach (var t in _lowPassRows.Concat(_lowPassColumnsT)) t.Dispose();
    }
}
