using Deepscope.Data;
using Deepscope.Features;
using Deepscope.IO;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Features;

public class FeatureSetTests
{
    static FeatureSetInfo Info() => new("toy", "test-extractor", new() { ["alpha"] = 1.5 }, [2, 3], 0, 0, 0, ["a", "b"],
        new Dictionary<string, string> { ["deepscope"] = "test" }, new Dictionary<string, double> { ["total"] = 0.25 }, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));

    [Fact]
    public void RoundTripsInTheSharedLayout()
    {
        using var dir = new TempDir();
        var features = arange(0, 30, dtype: ScalarType.Float32).view(5, 2, 3);
        var labels = tensor(new long[] { 0, 1, 1, 0, 1 });
        using (var writer = new FeatureSetWriter(dir.Path, 6))
        {
            writer.Append(Split.Train, features[..3], labels[..3]);
            writer.Append(Split.Train, features[3..], labels[3..]);
            writer.Append(Split.Test, features[..2], labels[..2]);
            writer.Complete(Info());
        }
        foreach (var file in new[] { "train_features.npy", "train_labels.npy", "test_features.npy", "test_labels.npy", "features.json" })
            Assert.True(File.Exists(dir.File(file)), file);
        Assert.Equal(new long[] { 5, 6 }, Npy.ReadShape(dir.File("train_features.npy")).Shape);

        using var set = FeatureSet.Load(dir.Path);
        Assert.Equal(6, set.Info.FeatureDim);
        Assert.Equal(5, set.Info.TrainCount);
        Assert.Equal(2, set.Info.TestCount);
        Assert.Equal(1.5, (double)set.Info.Settings["alpha"]!);
        Assert.Equal(["a", "b"], set.Info.Classes);
        Assert.Equal(FeatureSetInfo.CurrentFormat, set.Info.Format);
        Assert.True(set.TrainFeatures.equal(features.reshape(5, 6)).all().item<bool>());
        Assert.True(set.TestLabels.equal(labels[..2]).all().item<bool>());
        Assert.Contains("\"feature_dim\": 6", File.ReadAllText(dir.File("features.json")));
    }

    [Fact]
    public void IncompleteSetsAreNotReadable()
    {
        using var dir = new TempDir();
        using (var writer = new FeatureSetWriter(dir.Path, 2))
            writer.Append(Split.Train, ones(3, 2), zeros(3, dtype: ScalarType.Int64));
        Assert.False(File.Exists(dir.File("train_features.npy")));
        var e = Assert.Throws<InvalidDataFileException>(() => FeatureSet.Load(dir.Path));
        Assert.Contains("features.json", e.Message);
    }

    [Fact]
    public void RejectsNaNFeaturesAndMismatchedRows()
    {
        using var dir = new TempDir();
        using var writer = new FeatureSetWriter(dir.Path, 2);
        var bad = ones(3, 2);
        bad[2, 1] = tensor(float.NaN);
        Assert.Contains("NaN", Assert.Throws<InvalidDataFileException>(() => writer.Append(Split.Train, bad, zeros(3, dtype: ScalarType.Int64))).Message);
        Assert.Contains("3 labels for 2", Assert.Throws<DeepscopeException>(() => writer.Append(Split.Train, ones(2, 2), zeros(3, dtype: ScalarType.Int64))).Message);
        Assert.Contains("expected 2", Assert.Throws<DeepscopeException>(() => writer.Append(Split.Train, ones(2, 3), zeros(2, dtype: ScalarType.Int64))).Message);
    }

    [Fact]
    public void LoadChecksArraysAgainstTheDescription()
    {
        using var dir = new TempDir();
        using (var writer = new FeatureSetWriter(dir.Path, 2))
        {
            writer.Append(Split.Train, ones(3, 2), zeros(3, dtype: ScalarType.Int64));
            writer.Append(Split.Test, ones(1, 2), zeros(1, dtype: ScalarType.Int64));
            writer.Complete(Info());
        }
        var corrupt = ones(3, 2);
        corrupt[1, 0] = tensor(float.PositiveInfinity);
        Npy.Write(dir.File("train_features.npy"), corrupt);
        Assert.Contains("row 1", Assert.Throws<InvalidDataFileException>(() => FeatureSet.Load(dir.Path)).Message);
        Npy.Write(dir.File("train_features.npy"), ones(4, 2));
        Assert.Contains("expected float32 (3, 2)", Assert.Throws<InvalidDataFileException>(() => FeatureSet.Load(dir.Path)).Message);
    }

    [Fact]
    public void NpyBatchesStreamRows()
    {
        using var dir = new TempDir();
        var x = arange(0, 70, dtype: ScalarType.Float32).view(7, 2, 5);
        Npy.Write(dir.File("x.npy"), x);
        var batches = Npy.ReadBatches(dir.File("x.npy"), 3).ToList();
        Assert.Equal(new long[] { 3, 3, 1 }, batches.Select(b => b.shape[0]));
        Assert.True(cat(batches, 0).equal(x).all().item<bool>());
    }
}
