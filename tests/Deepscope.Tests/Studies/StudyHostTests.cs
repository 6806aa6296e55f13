using System.Text.Json;
using Deepscope.Experiments;
using Deepscope.Studies;
using Deepscope.Tests.Studies.PiEstimation;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Studies;

/// <summary>Tests that read or change the study catalog, which is process-wide: never run at the same time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StudyCatalogCollection
{
    public const string Name = "study catalog";
}

[Collection(StudyCatalogCollection.Name)]
public sealed class StudyHostTests : IDisposable
{
    /// <summary>The one catalog line that adds the example study (taken out again after each test).</summary>
    public StudyHostTests() =>
        StudyCatalog.Catalog.Add("pi-estimation", "Monte Carlo estimates of pi (the example study)", () => new PiEstimationOptions(), o => new PiEstimationStudy(o));

    public void Dispose() => StudyCatalog.Catalog.Remove("pi-estimation");

    static StudyPlan Plan(TempDir dir, string yaml)
    {
        File.WriteAllText(dir.File("pi.yaml"), yaml);
        return StudyFile.Load(dir.File("pi.yaml"));
    }

    static List<JsonElement> Results(string runDirectory) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(runDirectory, "results.json"))).RootElement.EnumerateArray().ToList();

    [Fact]
    public void ANewStudyIsOneFolderAndOneCatalogLine()
    {
        using var dir = new TempDir();
        var plan = Plan(dir, "study: pi-estimation\nseed: 3\nsamples: [2000, 20000]\nrepeats: 3\nreport: {digits: 3}\n");
        var options = (PiEstimationOptions)plan.Options;
        Assert.Equal([2000, 20000], options.Samples);
        Assert.Equal(3, options.Repeats);
        Assert.Equal(3, options.Report.Digits);

        var report = StudyHost.Run(plan, new RunSettings(dir.File("run"), CacheDirectory: dir.File("cache")));
        var results = Results(dir.File("run"));
        Assert.Equal(6, results.Count);
        // Monte Carlo error shrinks like 1/sqrt(n): within 4 standard deviations of pi (sd = 4 sqrt(p(1-p)/n), p = pi/4).
        foreach (var r in results)
        {
            double sd = 4 * Math.Sqrt(Math.PI / 4 * (1 - Math.PI / 4) / r.GetProperty("samples").GetInt32());
            Assert.InRange(r.GetProperty("absolute_error").GetDouble(), 0, 4 * sd);
        }
        Assert.True(File.Exists(report));
        Assert.Contains("Monte Carlo estimates of pi", File.ReadAllText(report));
        Assert.True(File.Exists(dir.File("run/run.json")));
        Assert.True(File.Exists(dir.File("run/config.yaml")));
    }

    [Fact]
    public void TwoShardsAndAReportEqualOneUnshardedRun()
    {
        using var dir = new TempDir();
        var plan = Plan(dir, "study: pi-estimation\nseed: 11\nsamples: [500, 5000, 50000]\nrepeats: 2\n");
        var whole = StudyHost.Run(plan, new RunSettings(dir.File("whole"), CacheDirectory: dir.File("cache")));

        var sharded = dir.File("sharded");
        StudyHost.Run(plan, new RunSettings(sharded, CacheDirectory: dir.File("cache"), Shard: new Shard(0, 2)));
        // One shard alone has every other cell.
        Assert.Equal(3, Results(sharded).Count);
        Assert.All(Directory.GetFiles(Path.Combine(sharded, "stages", "pi-estimate")),
            f => Assert.Contains("\"shard\": \"0/2\"", File.ReadAllText(f)));
        StudyHost.Run(plan, new RunSettings(sharded, CacheDirectory: dir.File("cache"), Shard: new Shard(1, 2)));
        StudyHost.Report(sharded);

        Assert.Equal(File.ReadAllText(Path.Combine(dir.File("whole"), "results.json")), File.ReadAllText(Path.Combine(sharded, "results.json")));
        Assert.True(File.Exists(Path.Combine(sharded, "run.shard-0-of-2.json")));

        // A shard run again with --force recomputes its own cells; its report still holds the other shard's.
        StudyHost.Run(plan, new RunSettings(sharded, CacheDirectory: dir.File("cache"), Force: true, Shard: new Shard(0, 2)));
        Assert.Equal(File.ReadAllText(Path.Combine(dir.File("whole"), "results.json")), File.ReadAllText(Path.Combine(sharded, "results.json")));
        Assert.True(File.Exists(Path.Combine(sharded, "run.shard-1-of-2.json")));
    }

    [Fact]
    public void AFinishedStageIsNotRunAgainUnlessForced()
    {
        using var dir = new TempDir();
        var plan = Plan(dir, "study: pi-estimation\nsamples: [1000]\nrepeats: 1\n");
        var settings = new RunSettings(dir.File("run"), CacheDirectory: dir.File("cache"));
        StudyHost.Run(plan, settings);
        var stage = Directory.GetFiles(dir.File("run/stages/pi-estimate")).Single();
        var written = File.GetLastWriteTimeUtc(stage);
        Thread.Sleep(20);
        StudyHost.Run(plan, settings);
        Assert.Equal(written, File.GetLastWriteTimeUtc(stage));
        StudyHost.Run(plan, settings with { Force = true });
        Assert.NotEqual(written, File.GetLastWriteTimeUtc(stage));
    }

    [Theory]
    [InlineData("study: pi-estimation\nrepeats: 0\n", "line 2, column 10: study options: parameter 'repeats' must be between 1 and 100; got 0")]
    [InlineData("study: pi-estimation\nrepeat: 2\n", "line 2, column 1: unknown key 'repeat'")]
    [InlineData("study: pi-estimation\nsamples: [10, ten]\n", "line 2, column 10: study options: parameter 'samples' must be a list of integer; got '10,ten'")]
    [InlineData("study: pi-estimation\nreport: {digits: 20}\n", "line 2, column 18: report: parameter 'digits' must be between 1 and 12; got 20")]
    [InlineData("study: pi-estimaton\n", "line 1, column 8: 'study' must be one of feature-comparison")]
    public void StudyOptionErrorsNameTheLine(string yaml, string expected)
    {
        using var dir = new TempDir();
        var error = Assert.Throws<InvalidDataFileException>(() => Plan(dir, yaml));
        Assert.Equal(dir.File("pi.yaml"), error.FilePath);
        Assert.Contains(expected, error.Message);
    }
}
