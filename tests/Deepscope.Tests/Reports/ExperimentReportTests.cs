using System.Text.RegularExpressions;
using Deepscope.Reports;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Reports;

public class ExperimentReportTests
{
    static LearnerResult Result(string feature, string learner, double accuracy, double fit = 1) =>
        new("mnist", feature, learner, new Dictionary<string, string> { ["C"] = "1" }, accuracy, null, fit, 0.1,
            [[9, 1], [2, 8]], [new ClassScore("0", 0.818, 0.9, 0.857, 10), new ClassScore("1", 0.889, 0.8, 0.842, 10)]);

    static readonly LearnerResult[] Results =
    [
        Result("pixels", "lda", 0.87), Result("pixels", "svm-rbf", 0.96, fit: 9),
        Result("scattering(J=2)", "lda", 0.95), Result("scattering(J=2)", "svm-rbf", 0.99, fit: 12),
    ];

    [Fact]
    public void SummaryNamesTheWinnerAndRanksFeaturesAndLearners()
    {
        var summary = ExperimentReport.Summary(Results);
        Assert.Equal("On mnist, the best pair is scattering(J=2) + svm-rbf with 99.00% test accuracy (1.00% error).", summary[0]);
        Assert.Equal("Averaged over learners, features rank: scattering(J=2) (97.00%) > pixels (91.50%).", summary[1]);
        Assert.Equal("Averaged over features, learners rank: svm-rbf (97.50%) > lda (91.00%).", summary[2]);
        Assert.Contains("Fastest to fit and predict: pixels + lda", summary[3]);
    }

    [Fact]
    public void HtmlIsSelfContainedAndMarksTheBestCell()
    {
        using var dir = new TempDir();
        var png = dir.File("tsne.png");
        File.WriteAllBytes(png, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var content = new ReportContent("Quickstart <test>", "seed: 0", new Dictionary<string, string> { ["libtorch"] = "2.10" },
            Results, [new EmbeddingFigure("mnist", "pixels", "tsne", png, 0.97)], [new StageTiming("features: pixels", 0.5, FromCache: true)]);
        ExperimentReport.Write(content, dir.Path);

        var html = File.ReadAllText(dir.File("report.html"));
        Assert.Contains("Quickstart &lt;test&gt;", html);
        Assert.Contains("<td class=\"best\" title=\"C=1\">99.00%</td>", html);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "class=\"best\""));
        Assert.Contains("src=\"data:image/png;base64,iVBORwECAw==\"", html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.Contains("trustworthiness 0.970", html);

        var md = File.ReadAllText(dir.File("report.md"));
        Assert.Contains("| scattering(J=2) | 95.00% | **99.00%** |", md);
        Assert.Contains("![tsne of pixels](tsne.png)", md);
    }

    static ReportContent Content(TempDir dir)
    {
        var png = dir.File("embeddings/mnist-pixels-tsne.png");
        Directory.CreateDirectory(Path.GetDirectoryName(png)!);
        File.WriteAllBytes(png, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var fineTuned = Result("resnet18 (fine-tune)", "", 0.995, fit: 300) with
        {
            FineTune = new FineTuneDetails("resnet18", "fine-tune", null, 2, [0.98, 0.995], dir.File("cnn")),
        };
        return new ReportContent("Quickstart", "seed: 0\n", new Dictionary<string, string> { ["libtorch"] = "2.10" },
            [.. Results, fineTuned], [new EmbeddingFigure("mnist", "pixels", "tsne", png, 0.97)], [new StageTiming("features: pixels", 0.5)]);
    }

    [Fact]
    public void DocumentHoldsTheSectionsInOrderWithFiguresRelativeToTheRun()
    {
        using var dir = new TempDir();
        var document = ExperimentReport.Document(Content(dir), dir.Path);
        Assert.Equal(["Summary", "Test accuracy on mnist", "Fine-tuning on mnist", "Best on mnist: the CNN resnet18 (fine-tune)",
            "Embeddings", "Timings", "All results", "Run"], document.Blocks.OfType<Heading>().Select(h => h.Text));
        Assert.Equal(new Figure("embeddings/mnist-pixels-tsne.png", "mnist: tsne of pixels, trustworthiness 0.970", "tsne of pixels"),
            document.Blocks.OfType<Figure>().Single());
        var fineTune = document.Blocks.OfType<Table>().ElementAt(1);
        Assert.Equal(["resnet18 (fine-tune)", "none (from scratch)", "C=1", "98.00%, 99.50%", "99.50%", "300.0"], fineTune.Rows[0]);
        Assert.Equal([(0, 4)], fineTune.Highlighted!);
        var confusion = document.Blocks.OfType<Table>().ElementAt(3);
        Assert.Equal(["true \\ predicted", "0", "1"], confusion.Columns);
        Assert.Equal([["0", "9", "1"], ["1", "2", "8"]], confusion.Rows);
        Assert.Equal(new Code("seed: 0\n", "yaml"), document.Blocks[^1]);
    }

    [Fact]
    public void WithOnlyFineTunedResultsThereIsNoEmptyFeatureGrid()
    {
        using var dir = new TempDir();
        var content = Content(dir);
        var document = ExperimentReport.Document(content with { Results = [content.Results[^1]] }, dir.Path);
        Assert.Equal(["Summary", "Fine-tuning on mnist", "Best on mnist: the CNN resnet18 (fine-tune)", "Embeddings", "Timings", "All results", "Run"],
            document.Blocks.OfType<Heading>().Select(h => h.Text));
    }

    [Fact]
    public void AllThreeFormatsShowTheSameSectionsAndAStudyCanAppendItsOwn()
    {
        using var dir = new TempDir();
        var document = ExperimentReport.Document(Content(dir), dir.Path);
        ReportWriter.Write(document with { Blocks = [.. document.Blocks, new Heading("Robustness"), new Paragraphs(["Extra."])] }, dir.Path);

        var html = Regex.Matches(File.ReadAllText(dir.File("report.html")), "<h2>(.*?)</h2>").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value));
        var md = File.ReadAllLines(dir.File("report.md")).Where(l => l.StartsWith("## ")).Select(l => l[3..].Replace("\\", ""));
        var notebook = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir.File("report.ipynb")))!["cells"]!.AsArray()
            .Select(c => string.Concat(c!["source"]!.AsArray().Select(l => l!.GetValue<string>())))
            .Where(s => s.StartsWith("## ")).Select(s => s[3..]);
        string[] expected = ["Summary", "Test accuracy on mnist", "Fine-tuning on mnist", "Best on mnist: the CNN resnet18 (fine-tune)",
            "Embeddings", "Timings", "All results", "Run", "Robustness"];
        Assert.Equal(expected, html);
        Assert.Equal(expected, md);
        Assert.Equal(expected, notebook);

        var (exitCode, output) = Nbformat.Validate(dir.File("report.ipynb"));
        Assert.True(exitCode == 0, output);
    }
}

public class ExperimentReportBrowserTests
{
    [Fact]
    public async Task ReportRendersInChromiumWithImagesAndNoConsoleErrors()
    {
        using var dir = new TempDir();
        var png = dir.File("plot.png");
        using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(40, 30, new SixLabors.ImageSharp.PixelFormats.Rgb24(200, 30, 30)))
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, png);
        var results = new[]
        {
            new LearnerResult("mnist", "pixels", "lda", new Dictionary<string, string>(), 0.87, 0.86, 1, 0.1, [[9, 1], [2, 8]],
                [new ClassScore("0", 0.8, 0.9, 0.85, 10), new ClassScore("1", 0.9, 0.8, 0.85, 10)]),
        };
        ExperimentReport.Write(new ReportContent("Browser check", "seed: 0", new Dictionary<string, string>(), results,
            [new EmbeddingFigure("mnist", "pixels", "pca", png, null)], []), dir.Path);

        var page = await HeadlessChromium.CheckAsync(dir.File("report.html"), TestContext.Current.CancellationToken);
        Assert.Equal("Browser check", page.Title);
        Assert.Equal(1, page.Images);
        Assert.Equal(0, page.BrokenImages);
        Assert.Empty(page.ConsoleErrors);
        using var shot = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(page.Screenshot);
        Assert.True(shot.Width >= 800);
        File.WriteAllBytes(Path.Combine(Path.GetTempPath(), "deepscope-report-screenshot.png"), page.Screenshot);
    }

    [Fact]
    public async Task TheCheckCatchesBrokenImagesAndConsoleErrors()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("bad.html"),
            "<!DOCTYPE html><html><head><title>bad</title></head><body><img src=\"data:image/png;base64,AAAA\"><script>console.error('boom')</script></body></html>");
        var page = await HeadlessChromium.CheckAsync(dir.File("bad.html"), TestContext.Current.CancellationToken);
        Assert.Equal(1, page.BrokenImages);
        Assert.Contains(page.ConsoleErrors, e => e.Contains("boom"));
    }
}
