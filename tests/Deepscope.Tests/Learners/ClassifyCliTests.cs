using System.Text.Json;
using Deepscope.IO;
using Deepscope.Tests.Support;
using static Deepscope.Tests.Learners.LearnerFixtures;
using static TorchSharp.torch;

namespace Deepscope.Tests.Learners;

/// <summary><c>deepscope classify</c> as a user runs it, on the blobs written as .npy files.</summary>
public class ClassifyCliTests
{
    static TempDir WriteBlobs()
    {
        var dir = new TempDir();
        var (x, y, t, yt) = Blobs();
        Npy.Write(dir.File("train_features.npy"), x);
        Npy.Write(dir.File("train_labels.npy"), y);
        Npy.Write(dir.File("test_features.npy"), t);
        Npy.Write(dir.File("test_labels.npy"), yt);
        File.WriteAllText(dir.File("features.json"), """{"classes": ["red", "green", "blue"]}""");
        return dir;
    }

    [Fact]
    public void Classify_files_writes_the_metrics_json()
    {
        using var dir = WriteBlobs();
        var (exit, stdout, stderr) = CliRunner.Run("classify", "--train-features", dir.File("train_features.npy"), "--train-labels", dir.File("train_labels.npy"),
            "--test-features", dir.File("test_features.npy"), "--test-labels", dir.File("test_labels.npy"), "--model", "svm-rbf",
            "--param", "C=10", "--param", "gamma=scale", "--scale", "--output", dir.File("metrics.json"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("accuracy", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File("metrics.json")));
        var root = doc.RootElement;
        Assert.Equal("svm-rbf", root.GetProperty("model").GetString());
        Assert.Equal("10", root.GetProperty("params").GetProperty("C").GetString());
        Assert.Equal("scale", root.GetProperty("params").GetProperty("preprocessing").GetString());
        double accuracy = root.GetProperty("accuracy").GetDouble();
        Assert.InRange(accuracy, 0.85, 1.0);
        var confusion = root.GetProperty("confusion_matrix");
        Assert.Equal(60, confusion.EnumerateArray().Sum(r => r.EnumerateArray().Sum(v => v.GetInt64())));
        double diagonal = Enumerable.Range(0, 3).Sum(i => confusion[i][i].GetInt64());
        Assert.Equal(accuracy, diagonal / 60, 12);
        Assert.Equal(3, root.GetProperty("per_class").GetArrayLength());
        Assert.True(root.GetProperty("fit_seconds").GetDouble() >= 0);
        Assert.True(root.GetProperty("predict_seconds").GetDouble() >= 0);
    }

    [Fact]
    public void Classify_a_features_directory_with_class_names_and_pca()
    {
        using var dir = WriteBlobs();
        var (exit, stdout, stderr) = CliRunner.Run("classify", "--features-dir", dir.Path, "--model", "lda", "--pca", "3", "--output", dir.File("m.json"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("green", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File("m.json")));
        Assert.Equal("blue", doc.RootElement.GetProperty("per_class")[2].GetProperty("name").GetString());
    }

    [Fact]
    public void Cross_validation_and_leave_one_group_out_from_the_cli()
    {
        using var dir = WriteBlobs();
        var (exit, _, stderr) = CliRunner.Run("classify", "--features-dir", dir.Path, "--model", "knn", "--cv", "4", "--output", dir.File("cv.json"));
        Assert.True(exit == 0, stderr);
        using (var doc = JsonDocument.Parse(File.ReadAllText(dir.File("cv.json"))))
        {
            Assert.Equal(4, doc.RootElement.GetProperty("folds").GetArrayLength());
            Assert.Equal(120, doc.RootElement.GetProperty("count").GetInt64());
        }
        // 12 "paintings" of 10 patches, each painting of one class.
        Npy.Write(dir.File("groups.npy"), tensor(Enumerable.Range(0, 120).Select(i => (long)(i / 10)).ToArray()));
        (exit, var stdout, stderr) = CliRunner.Run("classify", "--features-dir", dir.Path, "--model", "lda", "--leave-one-group-out",
            "--groups", dir.File("groups.npy"), "--output", dir.File("logo.json"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("majority vote per group", stdout);
        using var logo = JsonDocument.Parse(File.ReadAllText(dir.File("logo.json")));
        Assert.Equal(12, logo.RootElement.GetProperty("folds").GetArrayLength());
        Assert.Equal(12, logo.RootElement.GetProperty("group_vote").GetProperty("count").GetInt64());
    }

    [Fact]
    public void Grid_search_from_the_cli_refits_the_best_and_tests_it()
    {
        using var dir = WriteBlobs();
        var (exit, stdout, stderr) = CliRunner.Run("classify", "--features-dir", dir.Path, "--model", "svm-rbf", "--grid", "C=0.1,10", "--cv", "3", "--output", dir.File("g.json"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("best: C=", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File("g.json")));
        Assert.Equal(2, doc.RootElement.GetProperty("grid_search").GetArrayLength());
        Assert.Equal("train/test", doc.RootElement.GetProperty("evaluation").GetString());
    }

    [Fact]
    public void Bad_input_is_one_clear_line()
    {
        using var dir = WriteBlobs();
        Npy.Write(dir.File("short_labels.npy"), tensor(new long[] { 0, 1, 2 }));
        var (exit, _, stderr) = CliRunner.Run("classify", "--train-features", dir.File("train_features.npy"), "--train-labels", dir.File("short_labels.npy"), "--cv", "3");
        Assert.Equal(1, exit);
        Assert.Contains("short_labels.npy: 3 labels for 120 feature rows", stderr);

        var nan = Blobs().XTrain.clone();
        nan[4, 2] = tensor(float.NaN);
        Npy.Write(dir.File("nan.npy"), nan);
        (exit, _, stderr) = CliRunner.Run("classify", "--train-features", dir.File("nan.npy"), "--train-labels", dir.File("train_labels.npy"), "--cv", "3", "--model", "lda");
        Assert.Equal(1, exit);
        Assert.Contains("non-finite value (NaN) at row 4, column 2", stderr);

        (exit, _, stderr) = CliRunner.Run("classify", "--features-dir", dir.Path, "--model", "svm-rbf", "--param", "gama=1");
        Assert.Equal(1, exit);
        Assert.Contains("unknown parameter gama", stderr);

        (exit, _, stderr) = CliRunner.Run("classify", "--train-features", dir.File("train_features.npy"), "--train-labels", dir.File("train_labels.npy"));
        Assert.Equal(1, exit);
        Assert.Contains("no test set", stderr);
    }
}
