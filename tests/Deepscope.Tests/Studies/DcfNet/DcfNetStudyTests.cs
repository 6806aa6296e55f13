using System.Text.Json;
using Deepscope.Experiments;
using Deepscope.Studies;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Studies.DcfNet;

public class DcfNetStudyTests
{
    [Fact]
    public void Trains_LeNet_and_DCF_LeNet_on_a_few_digits_and_reports_size_speed_stability_and_filters()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        File.WriteAllText(dir.File("e.yaml"), """
            study: dcfnet
            name: tiny-dcf
            datasets: [mnist]
            basis_counts: ["3"]
            epochs: 1
            train_limit: 768
            test_limit: 300
            stability_images: 100
            """);
        var report = StudyHost.Run(StudyFile.Load(dir.File("e.yaml")), new RunSettings(dir.File("run"), data, dir.File("cache")));
        var results = JsonDocument.Parse(File.ReadAllText(dir.File("run/results.json"))).RootElement.EnumerateArray().ToList();
        Assert.Equal(["regular", "3"], results.Select(r => r.GetProperty("bases").GetString()));
        // LeNet's convolutions: 1x32x5x5 + 32x64x5x5 weights; DCF with K = 3: 1x32x3 + 32x64x3 coefficients.
        Assert.Equal(32 * 25 + 64 * 32 * 25, results[0].GetProperty("convolution_parameters").GetInt64());
        Assert.Equal(32 * 3 + 64 * 32 * 3, results[1].GetProperty("convolution_parameters").GetInt64());
        Assert.Equal(results[0].GetProperty("parameters").GetInt64() - (32 * 25 + 64 * 32 * 25) + 32 * 3 + 64 * 32 * 3, results[1].GetProperty("parameters").GetInt64());
        foreach (var r in results)
        {
            Assert.InRange(r.GetProperty("accuracy").GetDouble(), 0.5, 1.0); // 768 digits, one epoch; chance is 0.1
            Assert.True(r.GetProperty("train_images_per_second").GetDouble() > 0 && r.GetProperty("inference_images_per_second").GetDouble() > 0);
            var stability = r.GetProperty("stability").EnumerateArray().ToList();
            Assert.Equal(2, stability.Count);
            Assert.All(stability, s => Assert.InRange(s.GetProperty("relative_representation_change").GetDouble(), 1e-4, 2));
        }
        Assert.Equal(JsonValueKind.Null, results[0].GetProperty("filters_figure").ValueKind);
        Assert.True(File.Exists(results[1].GetProperty("filters_figure").GetString()));
        var html = File.ReadAllText(report);
        Assert.Contains("Stability under small deformations and rotations", html);
        Assert.Contains("data:image/png;base64,", html);
    }
}
