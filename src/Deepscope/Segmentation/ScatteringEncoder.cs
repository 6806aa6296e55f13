using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Segmentation;

/// <summary>
/// A fixed first-order scattering transform as the first layer, then learned stages: the input's local average
/// (a Gaussian of width 0.8 * 2^J, J = 2) and the moduli |x * psi_{j, theta}| of Morlet wavelets at two scales
/// (j = 0, 1) and eight orientations, computed at full resolution as a fixed 13x13 convolution (a buffer, never
/// trained, so the transform stays a scattering transform), mixed by a learned 1x1 convolution into 32 channels, give
/// the finest level (stride 1); stages of
/// two 3x3 convolutions with batch norm give 64, 128, 256 and 256 channels at strides 2, 4, 8, 16.
/// </summary>
public sealed class ScatteringEncoder : SegmentationEncoder
{
    const int Orientations = 8, Scales = 2, KernelSize = 13, ProjectedChannels = 32;
    readonly Tensor filters;
    readonly Sequential project;
    readonly Sequential stage1, stage2, stage3, stage4;

    public ScatteringEncoder(long inChannels) : base(nameof(ScatteringEncoder))
    {
        if (inChannels != 1) throw new DeepscopeException($"the scattering encoder takes grey images (1 channel), got {inChannels}");
        filters = FilterBank();
        project = Sequential(Conv2d(1 + Scales * Orientations, ProjectedChannels, 1, bias: false), BatchNorm2d(ProjectedChannels), ReLU());
        stage1 = Stage(ProjectedChannels, 64);
        stage2 = Stage(64, 128);
        stage3 = Stage(128, 256);
        stage4 = Stage(256, 256);
        RegisterComponents();
        Models.Initialization.HeNormalConvolutions(this);
    }

    static Sequential Stage(long inChannels, long outChannels) => Sequential(ConvBnRelu(inChannels, outChannels, 2), ConvBnRelu(outChannels, outChannels));

    public override long[] Channels => [ProjectedChannels, 64, 128, 256, 256];
    public override int[] Strides => [1, 2, 4, 8, 16];
    public override int Radius => new ReceptiveField().Layer(KernelSize)
        .Layer(3, 2).Layer(3).Layer(3, 2).Layer(3).Layer(3, 2).Layer(3).Layer(3, 2).Layer(3).Radius;

    public override Tensor[] Features(Tensor input)
    {
        Tensor f0;
        using (var scope = NewDisposeScope())
        {
            var responses = Models.ConvolutionDispatch.Conv2d(input, filters, null, [1, 1], [KernelSize / 2, KernelSize / 2], [1, 1], 1);
            var waves = Scales * Orientations;
            var real = responses.narrow(1, 1, waves);
            var imaginary = responses.narrow(1, 1 + waves, waves);
            // The modulus is smoothed near zero (sqrt(x + 1e-4)): its gradient 1 / (2 sqrt(x)) would otherwise blow up on flat glass.
            var modulus = (real.square() + imaginary.square() + 1e-4).sqrt();
            f0 = project.forward(cat([responses.narrow(1, 0, 1), modulus], 1)).MoveToOuterDisposeScope();
        }
        var f1 = stage1.forward(f0);
        var f2 = stage2.forward(f1);
        var f3 = stage3.forward(f2);
        return [f0, f1, f2, f3, stage4.forward(f3)];
    }

    /// <summary>
    /// (1 + 2 * 16, 1, 13, 13): the low-pass Gaussian, then the real and then the imaginary parts of the Morlet wavelets
    /// psi(u) = g(u) (exp(i xi u.e_theta) - kappa) with sigma = 0.8 * 2^j, xi = 3 pi / 4 / 2^j, an envelope of slant 4/L
    /// across the oscillation, and kappa making each wavelet's sum zero; each wavelet scaled to unit L1 norm.
    /// </summary>
    static Tensor FilterBank()
    {
        int r = KernelSize / 2, waves = Scales * Orientations, plane = KernelSize * KernelSize;
        var weights = new float[(1 + 2 * waves) * plane];
        double lowSigma = 0.8 * 4, lowSum = 0;
        for (int y = -r; y <= r; y++)
            for (int x = -r; x <= r; x++) lowSum += Math.Exp(-(x * x + y * y) / (2 * lowSigma * lowSigma));
        for (int y = -r; y <= r; y++)
            for (int x = -r; x <= r; x++) weights[(y + r) * KernelSize + x + r] = (float)(Math.Exp(-(x * x + y * y) / (2 * lowSigma * lowSigma)) / lowSum);
        for (int j = 0; j < Scales; j++)
            for (int t = 0; t < Orientations; t++)
            {
                double sigma = 0.8 * (1 << j), xi = 3 * Math.PI / 4 / (1 << j), theta = t * Math.PI / Orientations, slant = 4.0 / Orientations;
                var envelope = new double[plane];
                var phase = new double[plane];
                double envelopeSum = 0, re = 0, im = 0;
                for (int y = -r; y <= r; y++)
                    for (int x = -r; x <= r; x++)
                    {
                        double along = x * Math.Cos(theta) + y * Math.Sin(theta), across = -x * Math.Sin(theta) + y * Math.Cos(theta);
                        int at = (y + r) * KernelSize + x + r;
                        envelope[at] = Math.Exp(-(along * along + slant * slant * across * across) / (2 * sigma * sigma));
                        phase[at] = xi * along;
                        envelopeSum += envelope[at];
                        (re, im) = (re + envelope[at] * Math.Cos(phase[at]), im + envelope[at] * Math.Sin(phase[at]));
                    }
                var (kappaRe, kappaIm) = (re / envelopeSum, im / envelopeSum);
                var (psiRe, psiIm) = (new double[plane], new double[plane]);
                double norm = 0;
                for (int i = 0; i < plane; i++)
                {
                    (psiRe[i], psiIm[i]) = (envelope[i] * (Math.Cos(phase[i]) - kappaRe), envelope[i] * (Math.Sin(phase[i]) - kappaIm));
                    norm += Math.Sqrt(psiRe[i] * psiRe[i] + psiIm[i] * psiIm[i]);
                }
                int wave = j * Orientations + t;
                for (int i = 0; i < plane; i++)
                {
                    weights[(1 + wave) * plane + i] = (float)(psiRe[i] / norm);
                    weights[(1 + waves + wave) * plane + i] = (float)(psiIm[i] / norm);
                }
            }
        return tensor(weights).view(1 + 2 * waves, 1, KernelSize, KernelSize);
    }
}
