using System.Numerics;
using Deepscope.Features.Scattering.Simd;
using static TorchSharp.torch;

namespace Deepscope.Tests.Features;

public class StockhamFftTests
{
    /// <summary>Every radix (8, 6, 4, 2, 3, 5 and the direct DFT of other primes) and their mixtures, against libtorch's FFT in double.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(48)]
    [InlineData(288)]
    [InlineData(9)]
    [InlineData(18)]
    [InlineData(20)]
    [InlineData(36)]
    [InlineData(40)]
    [InlineData(68)]
    [InlineData(77)]
    [InlineData(264)]
    public unsafe void MatchesLibTorchAlongTheLeadingAxis(int length)
    {
        int width = 3 * Vector<float>.Count;
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)length);
        var re = randn(new long[] { length, width }, generator: generator);
        var im = randn(new long[] { length, width }, generator: generator);
        var expected = fft.fft_(complex(re.to_type(ScalarType.Float64), im.to_type(ScalarType.Float64)), dim: 0);
        var expectedInverse = fft.ifft(complex(re.to_type(ScalarType.Float64), im.to_type(ScalarType.Float64)), dim: 0) * length;

        var plan = new StockhamFft(length);
        foreach (var (inverse, reference) in new[] { (false, expected), (true, expectedInverse) })
        {
            float[] dataRe = re.data<float>().ToArray(), dataIm = im.data<float>().ToArray();
            float[] scratchRe = new float[dataRe.Length], scratchIm = new float[dataIm.Length];
            bool inScratch;
            fixed (float* a = dataRe, b = dataIm, c = scratchRe, d = scratchIm)
                inScratch = plan.Transform(a, b, c, d, width, inverse);
            var (resultRe, resultIm) = inScratch ? (scratchRe, scratchIm) : (dataRe, dataIm);
            var actual = complex(tensor(resultRe).view(length, width).to_type(ScalarType.Float64), tensor(resultIm).view(length, width).to_type(ScalarType.Float64));
            double error = ((actual - reference).abs().norm() / reference.abs().norm()).item<double>();
            Assert.True(error < 1e-6, $"length {length}, inverse {inverse}: relative error {error:E3}");
        }
    }

    [Fact]
    public unsafe void RejectsRowsThatAreNotWholeVectors()
    {
        var plan = new StockhamFft(4);
        var buffer = new float[4 * (Vector<float>.Count + 1)];
        Assert.Throws<ArgumentException>(() =>
        {
            fixed (float* p = buffer) plan.Transform(p, p, p, p, Vector<float>.Count + 1, inverse: false);
        });
    }
}
