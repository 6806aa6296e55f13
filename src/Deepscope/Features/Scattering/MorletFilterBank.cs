using static TorchSharp.torch;

namespace Deepscope.Features.Scattering;

/// <summary>
/// The Morlet filter bank of the 2D scattering transform with Kymatio's definitions (Bruna and Mallat 2013): on an
/// M x N periodic grid, band-pass Morlet wavelets psi(j, theta) for j &lt; J and L orientations, and a Gaussian low-pass
/// phi at scale 2^J, all given by the real part of their DFT. Filters used after the signal was subsampled by 2^r are
/// "periodized": their spectrum is restricted to the frequencies of the coarser grid, [-M/2^(r+1), M/2^(r+1)).
/// Computed in double precision once per transform.
/// </summary>
public sealed class MorletFilterBank
{
    // Kymatio's Gaussian normalisation uses 3.1415, not pi; it scales every coefficient, so it is kept.
    const double KymatioPi = 3.1415;

    public int M { get; }
    public int N { get; }
    public int J { get; }
    public int L { get; }

    /// <summary>psi(j, theta) at resolution r (0 &lt;= r &lt;= j, r &lt; J): real spectrum of shape (M/2^r, N/2^r), row-major.</summary>
    readonly double[][][] _psi;

    /// <summary>phi at resolution r, as the two 1D factors of its separable spectrum (rows of length M/2^r, columns N/2^r).</summary>
    readonly (double[] Rows, double[] Columns)[] _phi;

    public MorletFilterBank(int m, int n, int j, int l = 8)
    {
        if (j < 1) throw new DeepscopeException($"scattering: J must be at least 1, got {j}");
        if (l < 1) throw new DeepscopeException($"scattering: L must be at least 1, got {l}");
        if (m % (1 << j) != 0 || n % (1 << j) != 0)
            throw new DeepscopeException($"scattering: the filter grid {m}x{n} must be divisible by 2^J = {1 << j}");
        (M, N, J, L) = (m, n, j, l);
        _psi = new double[j * l][][];
        Parallel.For(0, j * l, index =>
        {
            int scale = index / l, theta = index % l;
            var spectrum = RealSpectrum2D(Morlet(m, n, 0.8 * (1 << scale), Orientation(theta), 0.75 * Math.PI / (1 << scale), 4.0 / l), m, n);
            _psi[index] = [.. Enumerable.Range(0, scale + 1).Select(r => Periodize2D(spectrum, m, n, r))];
        });

        // phi = gabor(sigma = 0.8 2^(J-1), theta = 0, xi = 0, slant = 1) is a product of two periodized 1D Gaussians.
        double sigma = 0.8 * (1 << (j - 1));
        var rows = RealSpectrum1D(PeriodicGaussian(m, sigma, 1.0 / (2 * KymatioPi * sigma * sigma)));
        var columns = RealSpectrum1D(PeriodicGaussian(n, sigma, 1.0));
        _phi = [.. Enumerable.Range(0, j).Select(r => (Periodize1D(rows, r), Periodize1D(columns, r)))];
    }

    /// <summary>Kymatio's angle of orientation <paramref name="theta"/>: (floor(L - L/2 - 1) - theta) pi / L.</summary>
    public double Orientation(int theta) => ((int)(L - L / 2.0 - 1) - theta) * Math.PI / L;

    /// <summary>Real spectrum of psi(j, theta) at resolution r, shape (M/2^r, N/2^r).</summary>
    public double[] Psi(int j, int theta, int resolution)
    {
        if (resolution > j) throw new ArgumentOutOfRangeException(nameof(resolution), $"psi at scale {j} exists at resolutions 0..{j}");
        return _psi[j * L + theta][resolution];
    }

    /// <summary>The separable real spectrum of phi at resolution r: phi[u, v] = Rows[u] * Columns[v].</summary>
    public (double[] Rows, double[] Columns) Phi(int resolution) => _phi[resolution];

    /// <summary>phi at resolution r as a full (M/2^r, N/2^r) spectrum.</summary>
    public double[] PhiSpectrum(int resolution)
    {
        var (rows, columns) = _phi[resolution];
        var full = new double[rows.Length * columns.Length];
        for (int u = 0; u < rows.Length; u++)
            for (int v = 0; v < columns.Length; v++) full[u * columns.Length + v] = rows[u] * columns[v];
        return full;
    }

    /// <summary>Samples along a padded axis of <paramref name="padded"/> points after low-pass subsampling by 2^J and unpadding.</summary>
    public int OutputSize(int padded) => (padded >> J) - 2;

    /// <summary>
    /// phi's periodic convolution along each axis at resolution r, sampled every 2^(J-r) points and without the first and
    /// last samples (Kymatio's unpad), as row-major matrices (M/2^J - 2, M/2^r) for the rows and (N/2^J - 2, N/2^r) for
    /// the columns: exactly Kymatio's low-pass in the Fourier domain, subsampling and unpadding, since phi is separable.
    /// </summary>
    public (double[] Rows, double[] Columns) LowPassMatrices(int resolution)
    {
        var (rows, columns) = _phi[resolution];
        return (SubsampledConvolution(rows, 1 << (J - resolution)), SubsampledConvolution(columns, 1 << (J - resolution)));
    }

    /// <summary>The matrix of the periodic convolution with the filter whose real, even spectrum is given, sampled every k points, unpadded.</summary>
    static double[] SubsampledConvolution(double[] spectrum, int k)
    {
        int m = spectrum.Length, outputs = m / k - 2;
        double[] kernel;
        using (NewDisposeScope()) kernel = fft.ifft(tensor(spectrum, ScalarType.Float64)).real.contiguous().data<double>().ToArray();
        var matrix = new double[outputs * m];
        for (int o = 0; o < outputs; o++)
            for (int x = 0; x < m; x++)
                matrix[o * m + x] = kernel[(((o + 1) * k - x) % m + m) % m];
        return matrix;
    }

    /// <summary>
    /// Kymatio's gabor_2d: exp(-u' C u + i xi (u1 cos theta + u2 sin theta)) / (2 pi sigma^2 / slant) summed over the
    /// 5 x 5 nearest periods, with C = R diag(1, slant^2) R^T / (2 sigma^2). Returns (re, im) of the envelope times the
    /// wave and of the envelope alone, which the Morlet wavelet needs together.
    /// </summary>
    static (double[] WaveRe, double[] WaveIm, double[] Envelope) Gabor(int m, int n, double sigma, double theta, double xi, double slant)
    {
        // Kymatio builds the rotation in float32; the rounding is kept so the filters agree to the last bits.
        double cos = (float)Math.Cos(theta), sin = (float)Math.Sin(theta), s2 = slant * slant;
        double scale = 1 / (2 * sigma * sigma);
        double c00 = (cos * cos + s2 * sin * sin) * scale;
        double c01 = (cos * sin - s2 * sin * cos) * scale; // (R D R^-1)[0,1] and [1,0] are equal
        double c11 = (sin * sin + s2 * cos * cos) * scale;
        double kx = xi * Math.Cos(theta), ky = xi * Math.Sin(theta);
        double norm = 1 / (2 * KymatioPi * sigma * sigma / slant);
        var waveRe = new double[m * n];
        var waveIm = new double[m * n];
        var envelope = new double[m * n];
        for (int ex = -2; ex <= 2; ex++)
            for (int ey = -2; ey <= 2; ey++)
                for (int a = 0; a < m; a++)
                {
                    double x = a + ex * m;
                    for (int b = 0; b < n; b++)
                    {
                        double y = b + ey * n;
                        double exponent = -(c00 * x * x + 2 * c01 * x * y + c11 * y * y);
                        if (exponent < -745) continue; // exp underflows to 0 in double
                        double e = Math.Exp(exponent), phase = kx * x + ky * y;
                        int i = a * n + b;
                        waveRe[i] += e * Math.Cos(phase);
                        waveIm[i] += e * Math.Sin(phase);
                        envelope[i] += e;
                    }
                }
        for (int i = 0; i < envelope.Length; i++) { waveRe[i] *= norm; waveIm[i] *= norm; envelope[i] *= norm; }
        return (waveRe, waveIm, envelope);
    }

    /// <summary>Kymatio's morlet_2d: the Gabor wavelet minus beta times its envelope, beta making the mean zero.</summary>
    static (double[] Re, double[] Im) Morlet(int m, int n, double sigma, double theta, double xi, double slant)
    {
        var (re, im, envelope) = Gabor(m, n, sigma, theta, xi, slant);
        double sumRe = re.Sum(), sumIm = im.Sum(), sumEnvelope = envelope.Sum();
        double betaRe = sumRe / sumEnvelope, betaIm = sumIm / sumEnvelope;
        for (int i = 0; i < envelope.Length; i++) { re[i] -= betaRe * envelope[i]; im[i] -= betaIm * envelope[i]; }
        return (re, im);
    }

    /// <summary>exp(-x^2 / (2 sigma^2)) summed over the 5 nearest periods of length m, times <paramref name="factor"/>.</summary>
    static double[] PeriodicGaussian(int m, double sigma, double factor)
    {
        var g = new double[m];
        for (int a = 0; a < m; a++)
            for (int e = -2; e <= 2; e++)
            {
                double x = a + e * m;
                g[a] += Math.Exp(-x * x / (2 * sigma * sigma));
            }
        for (int a = 0; a < m; a++) g[a] *= factor;
        return g;
    }

    static double[] RealSpectrum2D((double[] Re, double[] Im) signal, int m, int n)
    {
        using var scope = NewDisposeScope();
        var z = complex(tensor(signal.Re, ScalarType.Float64), tensor(signal.Im, ScalarType.Float64)).reshape(m, n);
        return fft.fft2(z).real.contiguous().data<double>().ToArray();
    }

    static double[] RealSpectrum1D(double[] signal)
    {
        using var scope = NewDisposeScope();
        return fft.fft_(tensor(signal, ScalarType.Float64)).real.contiguous().data<double>().ToArray();
    }

    /// <summary>
    /// Kymatio's periodize_filter_fft in 1D: zero the frequencies outside [-m/2^(r+1), m/2^(r+1)) and fold the
    /// spectrum onto m/2^r bins. The 2D version is the same along each axis.
    /// </summary>
    internal static double[] Periodize1D(double[] spectrum, int resolution)
    {
        int m = spectrum.Length, mr = m >> resolution;
        var mask = KeptFrequencies(m, resolution);
        var folded = new double[mr];
        for (int k = 0; k < mr; k++)
            for (int i = 0; i < 1 << resolution; i++)
                if (mask[k + i * mr]) folded[k] += spectrum[k + i * mr];
        return folded;
    }

    static double[] Periodize2D(double[] spectrum, int m, int n, int resolution)
    {
        int mr = m >> resolution, nr = n >> resolution, copies = 1 << resolution;
        bool[] keepRows = KeptFrequencies(m, resolution), keepColumns = KeptFrequencies(n, resolution);
        var folded = new double[mr * nr];
        for (int k = 0; k < mr; k++)
            for (int l = 0; l < nr; l++)
            {
                double sum = 0;
                for (int i = 0; i < copies; i++)
                {
                    int row = k + i * mr;
                    if (!keepRows[row]) continue;
                    for (int c = 0; c < copies; c++)
                        if (keepColumns[l + c * nr]) sum += spectrum[row * n + l + c * nr];
                }
                folded[k * nr + l] = sum;
            }
        return folded;
    }

    /// <summary>Kymatio's mask: indices [m 2^-(r+1), m 2^-(r+1) + m (1 - 2^-r)) are dropped.</summary>
    static bool[] KeptFrequencies(int m, int resolution)
    {
        var keep = new bool[m];
        int start = (int)(m * Math.Pow(2, -resolution - 1)), length = (int)(m * (1 - Math.Pow(2, -resolution)));
        for (int k = 0; k < m; k++) keep[k] = k < start || k >= start + length;
        return keep;
    }
}
