using System.Diagnostics;
using System.Text.Json;
using Deepscope.Experiments;
using Deepscope.Studies;
using Deepscope.Data.Generators;
using Deepscope.Tests.Studies;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Inspection;

/// <summary>
/// The issue's targets on the synthetic data: experiments/nexperia-synthetic.yaml on 5,000 generated images; the
/// fine-tuned ResNet-18 reaches test AUC 0.95 within 15 minutes on 2 cores and an outlier score fitted on good images
/// reaches 0.85. Minutes of compute on a quiet machine.
/// </summary>
[Collection(StudyCatalogCollection.Name)]
public sealed class InspectionTargetTests
{
    [Fact]
    [Trait(Category.Name, Category.Long)]
    public void Synthetic_resnet18_reaches_the_issues_auc_targets()
    {
        using var dir = new TempDir();
        DatasetGeneration.Generate(new SemiconductorGenerator(new SemiconductorOptions { Count = 5000 }), dir.File("data/semiconductor"), seed: 0);
        File.WriteAllText(dir.File("nexperia-synthetic.yaml"), File.ReadAllText(InspectionStudyTests.RepoFile("experiments/nexperia-synthetic.yaml")));
        var clock = Stopwatch.StartNew();
        StudyHost.Run(StudyFile.Load(dir.File("nexperia-synthetic.yaml")), new RunSettings(dir.File("run"), CacheDirectory: dir.File("cache"), Threads: 2));
        var minutes = clock.Elapsed.TotalMinutes;

        using var results = JsonDocument.Parse(File.ReadAllText(dir.File("run/results.json")));
        var methods = results.RootElement.GetProperty("methods").EnumerateArray().ToList();
        double cnn = methods[0].GetProperty("auc").GetDouble();
        double outliers = methods.Where(m => m.GetProperty("kind").GetString() == "outlier").Max(m => m.GetProperty("auc").GetDouble());
        Assert.True(cnn >= 0.95, $"ResNet-18 test AUC {cnn:F4}");
        Assert.True(outliers >= 0.85, $"best outlier AUC {outliers:F4}");
        Assert.True(minutes < 15, $"{minutes:F1} minutes");
    }
}
