using Deepscope.Features;
using Deepscope.IO;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Features;

public class Scattering2DTests
{
    static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        var e = expected.to_type(ScalarType.Float64);
        return ((actual.to_type(ScalarType.Float64) - e).norm() / e.norm()).item<double>();
    }

    /// <summary>Relative L2 error at most 1e-5 overall and within each order (order 2 is small beside order 0).</summary>
    static void AssertMatchesPerOrder(Scattering2D scattering, Tensor actual, Tensor expected, string name)
    {
        double total = RelativeError(actual, expected);
        Assert.True(total <= 1e-5, $"{name}: relative L2 error {total:E3}");
        int first = 1 + scattering.J * scattering.L;
        foreach (var (order, from, to) in new[] { (0, 0, 1), (1, 1, first), (2, first, scattering.CoefficientCount) }.Where(o => o.Item3 > o.Item2))
        {
            var range = TensorIndex.Slice(from, to);
            double error = RelativeError(actual[TensorIndex.Ellipsis, range, TensorIndex.Colon, TensorIndex.Colon],
                expected[TensorIndex.Ellipsis, range, TensorIndex.Colon, TensorIndex.Colon]);
            Assert.True(error <= 1e-5, $"{name}: order {order} relative L2 error {error:E3}");
        }
    }

    [Fact]
    public void MatchesKymatioReferenceCase()
    {
        var data = Npy.ReadNpz(SharedData.Reference("kymatio/test_data_2d.npz"));
        Assert.False(data["pre_pad"].item<bool>());
        int j = (int)data["J"].item<long>();
        var x = data["x"];
        using var scattering = new Scattering2D(j, ((int)x.shape[^2], (int)x.shape[^1]));
        var s = scattering.forward(x);
        Assert.Equal(data["Sx"].shape, s.shape);
        Assert.Equal(ScalarType.Float32, s.dtype);
        AssertMatchesPerOrder(scattering, s, data["Sx"], "test_data_2d.npz");
    }

    public static TheoryData<string> KymatioCases() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Scattering"), "case_*.npz").Select(f => Path.GetFileName(f)).Order()];

    /// <summary>Fixtures made by Fixtures/Scattering/make_fixtures.py with Kymatio 0.4: other shapes, J, L and orders.</summary>
    [Theory]
    [MemberData(nameof(KymatioCases))]
    public void MatchesKymatioOnOtherShapesAndSettings(string file)
    {
        var data = Npy.ReadNpz(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Scattering", file));
        var x = data["x"];
        using var scattering = new Scattering2D((int)data["J"].item<long>(), ((int)x.shape[^2], (int)x.shape[^1]),
            (int)data["L"].item<long>(), (int)data["max_order"].item<long>());
        var s = scattering.forward(x);
        Assert.Equal(data["Sx"].shape, s.shape);
        AssertMatchesPerOrder(scattering, s, data["Sx"], file);
    }

    static Tensor Fixture(string file, string key) =>
        Npy.ReadNpz(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Scattering", file))[key];

    [Theory]
    [InlineData(2, 8, 2, 81)]
    [InlineData(3, 8, 2, 217)]
    [InlineData(4, 8, 2, 417)]
    [InlineData(3, 6, 1, 19)]
    [InlineData(1, 4, 2, 5)]
    public void CoefficientCountFollowsKymatio(int j, int l, int maxOrder, int expected)
    {
        using var scattering = new Scattering2D(j, (32, 32), l, maxOrder);
        Assert.Equal(expected, scattering.CoefficientCount);
        Assert.Equal(1 + j * l + (maxOrder == 2 ? l * l * j * (j - 1) / 2 : 0), expected);
    }

    [Fact]
    public void KeepsLeadingDimensionsAndNonSquareShapes()
    {
        using var scattering = new Scattering2D(2, (12, 20), 4);
        using var x = rand(new long[] { 2, 3, 1, 12, 20 });
        using var s = scattering.forward(x);
        Assert.Equal(new long[] { 2, 3, 1, scattering.CoefficientCount, 3, 5 }, s.shape);
        // Each image is scattered on its own: the batch layout does not change the numbers.
        using var single = scattering.forward(x[1, 2, 0]);
        Assert.Equal(0.0, (single - s[1, 2, 0]).abs().max().item<float>(), 6);
        using var none = scattering.forward(zeros(0, 2, 12, 20));
        Assert.Equal(new long[] { 0, 2, scattering.CoefficientCount, 3, 5 }, none.shape);
    }

    /// <summary>Input that requires a gradient takes the libtorch path, chunk by chunk.</summary>
    [Fact]
    public void ChunkedInputGivesTheSameCoefficients()
    {
        var x = Fixture("case_20x28_J2_L8_order2.npz", "x").requires_grad_();
        var expected = Fixture("case_20x28_J2_L8_order2.npz", "Sx");
        using var whole = new Scattering2D(2, (20, 28));
        using var chunked = new Scattering2D(2, (20, 28)) { ChunkSize = 1 };
        Assert.True(whole.ChunkSize > 1);
        using var chunkedResult = chunked.forward(x);
        Assert.True(chunkedResult.requires_grad);
        Assert.True(RelativeError(chunkedResult.detach(), expected) <= 1e-5);
        Assert.Equal(0.0, (chunkedResult - whole.forward(x)).abs().max().item<float>(), 6);
    }

    /// <summary>float32 inference (no gradient) runs on the .NET vector kernels: the same numbers as libtorch's path.</summary>
    [Theory]
    [MemberData(nameof(KymatioCases))]
    public void VectorKernelsGiveLibTorchsCoefficients(string file)
    {
        var data = Npy.ReadNpz(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Scattering", file));
        var x = data["x"];
        using var scattering = new Scattering2D((int)data["J"].item<long>(), ((int)x.shape[^2], (int)x.shape[^1]),
            (int)data["L"].item<long>(), (int)data["max_order"].item<long>());
        using var vector = scattering.forward(x);
        using var libtorch = scattering.forward(x.detach().requires_grad_()).detach();
        Assert.False(vector.requires_grad);
        Assert.True(RelativeError(vector, libtorch) <= 1e-6, $"{file}: relative L2 difference {RelativeError(vector, libtorch):E3}");
    }

    /// <summary>The vector kernels take float32 CPU input that needs no gradient; everything else goes to libtorch.</summary>
    [Fact]
    public void VectorKernelsTakeFloat32InferenceOnly()
    {
        using var x = rand(2, 8, 8);
        Assert.True(Scattering2D.UsesVectorKernels(x));
        using var tracked = rand(2, 8, 8).requires_grad_();
        Assert.False(Scattering2D.UsesVectorKernels(tracked));
        using (no_grad()) Assert.True(Scattering2D.UsesVectorKernels(tracked));
        using var doubles = rand(2, 8, 8, dtype: ScalarType.Float64);
        Assert.False(Scattering2D.UsesVectorKernels(doubles));
    }

    /// <summary>Sizes whose padded grids have prime factors 7, 11, 13 and 17 (the FFT's direct-DFT radix), and wide outputs.</summary>
    [Theory]
    [InlineData(60, 60, 2)] // 68 = 4 x 17
    [InlineData(21, 38, 2)] // 28 = 4 x 7, 44 = 4 x 11
    [InlineData(45, 22, 2)] // 52 = 4 x 13
    [InlineData(40, 17, 3)] // 56 = 8 x 7
    [InlineData(40, 84, 2)] // outputs 10 x 21: rows of more than one vector, not whole vectors
    [InlineData(96, 70, 3)] // outputs 12 x 8
    public void VectorKernelsHandleGridsWithLargePrimeFactors(int height, int width, int j)
    {
        using var scattering = new Scattering2D(j, (height, width), 6);
        using var x = rand(new long[] { 3, height, width }, generator: new Generator(7));
        using var vector = scattering.forward(x);
        using var reference = scattering.forward(x.to_type(ScalarType.Float64));
        Assert.True(RelativeError(vector, reference) <= 1e-6, $"{height}x{width}: {RelativeError(vector, reference):E3}");
    }

    /// <summary>Random J (1-3), L (1-8), order and sizes from 2^J to 40 on each side, against the float64 libtorch path.</summary>
    [Fact]
    public void VectorKernelsAgreeWithLibTorchOnRandomShapes()
    {
        var random = new Random(5);
        for (int trial = 0; trial < 40; trial++)
        {
            int j = random.Next(1, 4), l = random.Next(1, 9), order = random.Next(1, 3);
            int height = random.Next(1 << j, 41), width = random.Next(1 << j, 41);
            using var scattering = new Scattering2D(j, (height, width), l, order);
            using var x = rand(new long[] { 2, height, width }, generator: new Generator((ulong)trial));
            using var vector = scattering.forward(x);
            using var reference = scattering.forward(x.to_type(ScalarType.Float64));
            double error = RelativeError(vector, reference);
            Assert.True(error <= 1e-6, $"{height}x{width}, J = {j}, L = {l}, order {order}: relative L2 difference {error:E3}");
        }
    }

    [Fact]
    public void VectorKernelsOnSeveralThreadsGiveTheSameCoefficients()
    {
        var x = Fixture("case_20x28_J2_L8_order2.npz", "x");
        var expected = Fixture("case_20x28_J2_L8_order2.npz", "Sx");
        using var scattering = new Scattering2D(2, (20, 28));
        int threads = get_num_threads();
        try
        {
            set_num_threads(1);
            using var sequential = scattering.forward(x);
            set_num_threads(2);
            using var parallel = scattering.forward(x);
            Assert.True(RelativeError(parallel, expected) <= 1e-5);
            Assert.Equal(0.0, (parallel - sequential).abs().max().item<float>(), 7);
        }
        finally { set_num_threads(threads); }
    }

    /// <summary>Calls from several threads at once share the transform (each worker takes its own workspace).</summary>
    [Fact]
    public void ConcurrentCallsGiveTheSameCoefficients()
    {
        var x = Fixture("case_20x28_J2_L8_order2.npz", "x");
        using var scattering = new Scattering2D(2, (20, 28));
        using var expected = scattering.forward(x);
        var results = new Tensor[6];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = results.Length }, i => results[i] = scattering.forward(x));
        foreach (var result in results)
            using (result) Assert.Equal(0.0, (result - expected).abs().max().item<float>(), 7);
    }

    [Fact]
    public void Float64InputGivesFloat64Coefficients()
    {
        var x = Fixture("case_17x23_J3_L6_order2.npz", "x");
        var expected = Fixture("case_17x23_J3_L6_order2.npz", "Sx");
        using var scattering = new Scattering2D(3, (17, 23), 6);
        using var s = scattering.forward(x.to_type(ScalarType.Float64));
        Assert.Equal(ScalarType.Float64, s.dtype);
        Assert.True(RelativeError(s, expected) <= 1e-5);
    }

    /// <summary>Order 0 of a constant image is the constant times the low-pass gain phi^(0, 0) (Kymatio's 3.1415 included).</summary>
    [Fact]
    public void OrderZeroOfAConstantIsTheLowPassGain()
    {
        using var scattering = new Scattering2D(2, (16, 16), 4);
        using var s = scattering.forward(full(16, 16, 0.5f));
        double gain = scattering.Filters.PhiSpectrum(0)[0];
        Assert.Equal(0.5 * gain, s[0].mean().item<float>(), 5);
        Assert.Equal(0.0, s[0].std().item<float>(), 5);
        // Wavelets have zero mean: a constant has no order-1 or order-2 energy.
        Assert.True(s[1..].abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void IsDifferentiable()
    {
        using var scattering = new Scattering2D(2, (12, 12), 4);
        var x = rand(new long[] { 12, 12 }, dtype: ScalarType.Float64).requires_grad_();
        var direction = rand(new long[] { 12, 12 }, dtype: ScalarType.Float64);
        var loss = scattering.forward(x).square().sum();
        loss.backward();
        var grad = x.grad!;
        Assert.True(grad.isfinite().all().item<bool>());
        // Central finite difference along a random direction agrees with the gradient.
        const double h = 1e-5;
        using (no_grad())
        {
            double plus = scattering.forward(x + h * direction).square().sum().item<double>();
            double minus = scattering.forward(x - h * direction).square().sum().item<double>();
            double numeric = (plus - minus) / (2 * h), analytic = (grad * direction).sum().item<double>();
            Assert.Equal(numeric, analytic, Math.Abs(numeric) * 1e-5);
        }
    }

    [Fact]
    public void GradientIsFiniteWhereTheModulusIsZero()
    {
        using var scattering = new Scattering2D(1, (8, 8), 4);
        var x = zeros(new long[] { 8, 8 }, requires_grad: true);
        scattering.forward(x).sum().backward();
        Assert.True(x.grad!.isfinite().all().item<bool>());
    }

    [Theory]
    [InlineData(5, 28, 28, "J = 5 is too large for 28x28")]
    [InlineData(3, 7, 64, "J = 3 is too large for 7x64")]
    [InlineData(0, 28, 28, "J must be at least 1")]
    public void RejectsScalesTooLargeForTheImage(int j, int h, int w, string message)
    {
        var e = Assert.Throws<DeepscopeException>(() => new Scattering2D(j, (h, w)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void RejectsBadInputWithClearErrors()
    {
        using var scattering = new Scattering2D(2, (16, 16));
        Assert.Contains("must have shape (..., 16, 16)", Assert.Throws<DeepscopeException>(() => scattering.forward(rand(16))).Message);
        Assert.Contains("built for 16x16", Assert.Throws<DeepscopeException>(() => scattering.forward(rand(2, 16, 15))).Message);
        Assert.Contains("float32 or float64", Assert.Throws<DeepscopeException>(() => scattering.forward(ones(16, 16, dtype: ScalarType.Int32))).Message);
        var nan = rand(3, 16, 16);
        nan[1, 4, 4] = tensor(float.NaN);
        Assert.Contains("NaN", Assert.Throws<DeepscopeException>(() => scattering.forward(nan)).Message);
        Assert.Contains("max order must be 1 or 2", Assert.Throws<DeepscopeException>(() => new Scattering2D(2, (16, 16), maxOrder: 3)).Message);
    }

    [Fact]
    public void PaddingFollowsKymatio()
    {
        Assert.Equal(36, Deepscope.Features.Scattering.KymatioPadding.PaddedSize(28, 2));
        Assert.Equal(40, Deepscope.Features.Scattering.KymatioPadding.PaddedSize(32, 2));
        // 4 -> 8 by reflection, 2 before and 2 after, edges not repeated.
        Assert.Equal(new long[] { 2, 1, 0, 1, 2, 3, 2, 1 }, Deepscope.Features.Scattering.KymatioPadding.SourceIndices(4, 8));
        // Size 2^J: padding equal to the size, Kymatio reflects by size - 1 and repeats the neighbours' sources.
        Assert.Equal(new long[] { 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1 }, Deepscope.Features.Scattering.KymatioPadding.SourceIndices(4, 12));
    }
}
