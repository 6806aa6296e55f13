using Deepscope.Features;
using Deepscope.IO;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Features;

public class ScatteringCliTests
{
    static string FixturePath(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Scattering", file);

    [Theory]
    [InlineData("case_17x23_J3_L6_order2.npz")]
    [InlineData("case_16x12_J1_L4_order1.npz")]
    public void ScatterReproducesKymatio(string file)
    {
        var data = Npy.ReadNpz(FixturePath(file));
        using var dir = new TempDir();
        Npy.Write(dir.File("x.npy"), data["x"]);
        var (exit, stdout, stderr) = CliRunner.Run("scatter", "--input", dir.File("x.npy"), "--output", dir.File("s.npy"),
            "--J", data["J"].item<long>().ToString(), "--L", data["L"].item<long>().ToString(), "--max-order", data["max_order"].item<long>().ToString());
        Assert.True(exit == 0, stderr);
        Assert.Contains("images/s", stdout);
        var s = Npy.Read(dir.File("s.npy"));
        var expected = data["Sx"];
        Assert.Equal(expected.shape, s.shape);
        double error = ((s.to_type(ScalarType.Float64) - expected).norm() / expected.to_type(ScalarType.Float64).norm()).item<double>();
        Assert.True(error <= 1e-5, $"relative L2 error {error:E3}");
    }

    [Fact]
    public void ScatterExplainsBadInput()
    {
        using var dir = new TempDir();
        Npy.Write(dir.File("small.npy"), rand(2, 8, 8));
        var (exit, _, stderr) = CliRunner.Run("scatter", "--input", dir.File("small.npy"), "--output", dir.File("s.npy"), "--J", "4");
        Assert.Equal(1, exit);
        Assert.Contains("J = 4 is too large for 8x8", stderr);

        var nan = rand(3, 8, 8);
        nan[2, 0, 0] = tensor(float.NaN);
        Npy.Write(dir.File("nan.npy"), nan);
        (exit, _, stderr) = CliRunner.Run("scatter", "--input", dir.File("nan.npy"), "--output", dir.File("s.npy"), "--J", "2");
        Assert.Equal(1, exit);
        Assert.Contains("nan.npy: contains NaN or infinite values (row 2)", stderr);
        Assert.False(File.Exists(dir.File("s.npy")));

        Npy.Write(dir.File("flat.npy"), rand(16));
        (exit, _, stderr) = CliRunner.Run("scatter", "--input", dir.File("flat.npy"), "--output", dir.File("s.npy"), "--J", "2");
        Assert.Equal(1, exit);
        Assert.Contains("expected images of shape (..., H, W)", stderr);
    }

    [Fact]
    public void FeaturesScatteringWritesTheSharedLayout()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        var (exit, stdout, stderr) = CliRunner.Run("features", "scattering", "--dataset", "mnist", "--J", "2", "--data-dir", data,
            "--no-download", "--limit", "40", "--output", dir.Path);
        Assert.True(exit == 0, stderr);
        Assert.Contains("3969 per image", stdout);
        using var set = FeatureSet.Load(dir.Path);
        Assert.Equal("mnist", set.Info.Dataset);
        Assert.Equal("scattering2d", set.Info.Extractor);
        Assert.Equal(new long[] { 1, 81, 7, 7 }, set.Info.FeatureShape);
        Assert.Equal(new long[] { 40, 3969 }, set.TrainFeatures.shape);
        Assert.Equal(new long[] { 40 }, set.TestLabels.shape);
        Assert.Equal(2, (int)set.Info.Settings["J"]!);
        Assert.True(set.Info.TimingsSeconds.ContainsKey("train_scattering"));

        // The stored rows are the scattering of the dataset's first images, scaled to [0, 1].
        using var images = new Deepscope.Data.DatasetStore(data, allowDownload: false).Load("mnist", Deepscope.Data.Split.Test);
        using var scattering = new Scattering2D(2, (28, 28));
        var expected = scattering.forward(images.Take(40).ToFloat()).reshape(40, -1);
        Assert.True((set.TestFeatures - expected).abs().max().item<float>() < 1e-6f);
        Assert.True(set.TestLabels.equal(images.Labels[..40]).all().item<bool>());
    }
}
