using System.Text.Json;
using Deepscope.Experiments;
using Deepscope.Studies;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Experiments;

/// <summary>
/// The example experiment files through the study host give the test accuracies the pipeline gave before it became a
/// study (recorded from commit c72e7b4 in Fixtures/Experiments/accuracies-before-studies.json). Long: quickstart takes
/// minutes, fashion-mnist most of an hour on 2 cores.
/// </summary>
[Trait(Category.Name, Category.Long)]
public class ExperimentFilesLongTests
{
    [Theory]
    [InlineData("quickstart")]
    [InlineData("fashion-mnist")]
    public void GivesTheAccuraciesOfThePipelineBeforeStudies(string experiment)
    {
        var data = SharedData.Require();
        using var recorded = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Experiments", "accuracies-before-studies.json")));
        var expected = recorded.RootElement.GetProperty("experiments").GetProperty(experiment).EnumerateArray()
            .ToDictionary(r => $"{r.GetProperty("dataset").GetString()} | {r.GetProperty("feature").GetString()} | {r.GetProperty("learner").GetString()}",
                r => r.GetProperty("test_accuracy").GetDouble());
        using var dir = new TempDir();
        var plan = StudyFile.Load(RepoPath($"experiments/{experiment}.yaml"));
        StudyHost.Run(plan, new RunSettings(dir.File("run"), data, dir.File("cache")));

        using var results = JsonDocument.Parse(File.ReadAllText(dir.File("run/results.json")));
        var actual = results.RootElement.EnumerateArray().ToDictionary(
            r => $"{r.GetProperty("dataset").GetString()} | {r.GetProperty("feature").GetString()} | {r.GetProperty("learner").GetString()}",
            r => r.GetProperty("test_accuracy").GetDouble());
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, accuracy) in expected) Assert.True(accuracy == actual[key], $"{key}: {actual[key]} now, {accuracy} before");
    }

    static string RepoPath(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Deepscope.slnx"))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException(relative);
    }
}
