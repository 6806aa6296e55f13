using Deepscope.IO;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Embedding;

public class EmbedCliTests
{
    static void WriteFeaturesDir(TempDir dir, int perCluster = 30)
    {
        var (points, labels) = EmbeddingTestData.Blobs(perCluster, 3, 6, 12);
        using var x = points;
        using var y = tensor(labels);
        Npy.Write(dir.File("test_features.npy"), x);
        Npy.Write(dir.File("test_labels.npy"), y);
        File.WriteAllText(dir.File("features.json"), """{"extractor": "synthetic", "classes": ["alpha", "beta", "gamma"]}""");
    }

    [Fact]
    public void Embeds_a_features_dir_with_several_methods_into_npy_files_and_one_svg_grid()
    {
        using var dir = new TempDir();
        WriteFeaturesDir(dir);
        var (exit, stdout, stderr) = CliRunner.Run("embed", "--features-dir", dir.Path, "--method", "pca,tsne", "--param", "perplexity=10", "--param", "max_iter=400",
            "--output", dir.File("e.npy"), "--plot", dir.File("grid.svg"), "--name", "blobs");
        Assert.True(exit == 0, stderr + stdout);
        foreach (var method in new[] { "pca", "tsne" })
        {
            using var e = Npy.Read(dir.File($"e.{method}.npy"));
            Assert.Equal(new long[] { 90, 2 }, e.shape);
            Assert.Equal(ScalarType.Float32, e.dtype);
            Assert.Contains("\"method\": \"" + method + "\"", File.ReadAllText(dir.File($"e.{method}.json")));
        }
        Assert.Contains("trustworthiness(10) = ", stdout);
        Assert.Contains("kl_divergence", stdout);
        var svg = File.ReadAllText(dir.File("grid.svg"));
        Assert.StartsWith("<?xml", svg);
        foreach (var name in new[] { "alpha", "beta", "gamma", "t-SNE", "PCA" }) Assert.Contains(name, svg);
    }

    [Fact]
    public void Writes_a_png_of_the_requested_embedding()
    {
        using var dir = new TempDir();
        WriteFeaturesDir(dir);
        var (exit, _, stderr) = CliRunner.Run("embed", "--features", dir.File("test_features.npy"), "--labels", dir.File("test_labels.npy"),
            "--method", "mds", "--param", "algorithm=classical", "--output", dir.File("mds.npy"), "--plot", dir.File("mds.png"), "--limit", "60");
        Assert.True(exit == 0, stderr);
        using var e = Npy.Read(dir.File("mds.npy"));
        Assert.Equal(60, e.shape[0]);
        var png = File.ReadAllBytes(dir.File("mds.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        // IHDR: width and height, big-endian, at bytes 16..23.
        Assert.Equal(900, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]);
        Assert.Equal(720, (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23]);
    }

    [Fact]
    public void User_errors_are_one_clear_line()
    {
        using var dir = new TempDir();
        WriteFeaturesDir(dir);
        var missing = CliRunner.Run("embed", "--features", dir.File("nope.npy"), "--output", dir.File("e.npy"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("nope.npy", missing.Err);

        var unknown = CliRunner.Run("embed", "--features-dir", dir.Path, "--method", "tsne", "--param", "perplexitty=5", "--output", dir.File("e.npy"));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("perplexitty", unknown.Err);

        var format = CliRunner.Run("embed", "--features-dir", dir.Path, "--method", "pca", "--output", dir.File("e.npy"), "--plot", dir.File("e.jpg"));
        Assert.Equal(1, format.ExitCode);
        Assert.Contains(".png or .svg", format.Err);

        using (var bad = randn([10, 3]))
        {
            bad[4, 1] = float.NaN;
            Npy.Write(dir.File("nan.npy"), bad);
        }
        var nan = CliRunner.Run("embed", "--features", dir.File("nan.npy"), "--method", "pca", "--output", dir.File("nan-e.npy"));
        Assert.Equal(1, nan.ExitCode);
        Assert.Contains("NaN", nan.Err);
        Assert.False(File.Exists(dir.File("nan-e.npy")));
    }
}
