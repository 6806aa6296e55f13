using Deepscope.IO;
using static TorchSharp.torch;

namespace Deepscope.Tests.Learners;

/// <summary>learners_small.npz: small data sets and scikit-learn 1.2's results on them (Fixtures/Learners/make_fixtures.py).</summary>
public static class LearnerFixtures
{
    static readonly Lazy<Dictionary<string, Tensor>> Arrays = new(() =>
        Npy.ReadNpz(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Learners", "learners_small.npz")));

    public static Tensor Get(string name) => Arrays.Value[name];

    public static Tensor Float(string name) => Get(name).to_type(ScalarType.Float32).contiguous();

    public static double[] Doubles(string name) => Get(name).to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    public static long[] Longs(string name) => Get(name).to_type(ScalarType.Int64).contiguous().data<long>().ToArray();

    public static (Tensor XTrain, Tensor YTrain, Tensor XTest, Tensor YTest) Blobs() =>
        (Float("blobs_x_train"), Get("blobs_y_train"), Float("blobs_x_test"), Get("blobs_y_test"));

    public static double[] Values(Tensor t) => t.to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    /// <summary>Largest absolute difference, with a message naming where it is.</summary>
    public static void Close(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = 0;
        for (int i = 0; i < expected.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > Math.Abs(expected[worst] - actual[worst])) worst = i;
        Assert.True(Math.Abs(expected[worst] - actual[worst]) <= tolerance,
            $"{what}: at {worst} expected {expected[worst]:G6}, got {actual[worst]:G6} (tolerance {tolerance})");
    }
}
