using Deepscope.Studies;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Studies;

public class StageStoreTests
{
    [Fact]
    public void KeysAreCanonicalJsonWhateverTheOrderOfTheirSettings()
    {
        var a = new StageKey("learner", new { Learner = "knn", Grid = new Dictionary<string, string[]> { ["k"] = ["1", "3"], ["weights"] = ["distance"] } });
        var b = new StageKey("learner", new { Learner = "knn", Grid = new Dictionary<string, string[]> { ["weights"] = ["distance"], ["k"] = ["1", "3"] } });
        Assert.Equal("""{"grid":{"k":["1","3"],"weights":["distance"]},"learner":"knn"}""", a.Canonical);
        Assert.Equal(a.Hash, b.Hash);
        Assert.Matches("^[0-9a-f]{12}$", a.Hash);
        // Another kind, value or list order is another stage.
        Assert.NotEqual(a.Hash, new StageKey("embedding", a.Definition).Hash);
        Assert.NotEqual(a.Hash, new StageKey("learner", new { Learner = "knn", Grid = new Dictionary<string, string[]> { ["k"] = ["3", "1"], ["weights"] = ["distance"] } }).Hash);
    }

    public sealed record Score(string Name, double Value);

    [Fact]
    public void RecordsRoundTripAndNameTheirFileWhenBroken()
    {
        using var dir = new TempDir();
        var store = new StageStore(dir.Path);
        var key = new StageKey("score", new { Seed = 3 });
        Assert.Null(store.Find<Score>(key));
        store.Save(key, "score of seed 3", new Score("a", 0.25), seconds: 1.5, shard: "1/4");
        var record = store.Find<Score>(key)!;
        Assert.Equal(new Score("a", 0.25), record.Value);
        Assert.Equal(("score of seed 3", 1.5, "1/4"), (record.Label, record.Seconds, record.Shard));
        Assert.Equal(3, record.Key!["seed"]!.GetValue<int>());
        Assert.StartsWith(Path.Combine(dir.Path, "score", "run-"), store.ArtifactFolder(key, "run"));

        File.WriteAllText(store.RecordPath(key), "{ truncated");
        var error = Assert.Throws<InvalidDataFileException>(() => store.Find<Score>(key));
        Assert.Equal(store.RecordPath(key), error.FilePath);
        Assert.Contains("delete it to recompute", error.Message);
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/4", 3, 4)]
    public void ShardsParse(string text, int index, int count) => Assert.Equal(new Shard(index, count), Shard.Parse(text));

    [Theory]
    [InlineData("4/4")]
    [InlineData("1")]
    [InlineData("-1/2")]
    [InlineData("0/0")]
    public void BadShardsAreUserErrors(string text) =>
        Assert.Contains("--shard must be I/N", Assert.Throws<DeepscopeException>(() => Shard.Parse(text)).Message);

    [Fact]
    public void ShardsPartitionTheGrid()
    {
        var cells = Enumerable.Range(0, 10).ToList();
        var shards = Enumerable.Range(0, 3).Select(i => new StudyContext
        {
            RunDirectory = "r", CacheDirectory = "c", DataDirectory = "d", BaseDirectory = "b", Seed = 0, Shard = new Shard(i, 3),
        }.MyCells(cells).ToList()).ToList();
        Assert.Equal([0, 3, 6, 9], shards[0]);
        Assert.Equal(cells, shards.SelectMany(s => s).Order());
    }
}
