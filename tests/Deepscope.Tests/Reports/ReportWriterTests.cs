using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Deepscope.Reports;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Reports;

public class ReportWriterTests
{
    const string Hostile = "<script>alert(1)</script>";

    /// <summary>A real ScottPlot line plot saved as PNG or SVG.</summary>
    static string Plot(TempDir dir, string name)
    {
        var plot = new ScottPlot.Plot();
        plot.Add.Scatter(new double[] { 0, 1, 2, 3 }, new double[] { 1, 3, 2, 4 });
        var path = dir.File(name);
        EmbeddingPlot.Save(plot, path, 320, 240);
        return path;
    }

    static ReportDocument Sample(string png, string svg) => new($"Study {Hostile} & co", [
        new Heading("Results"),
        new Paragraphs(["First | finding with *stars* and _underscores_.", $"Second: {Hostile}"]),
        new Bullets(["- looks like a list", "1. looks numbered", $"bullet {Hostile}"]),
        new Table(["model", "accuracy", "notes"], [["cnn", "99.10%", "a|b"], ["mlp", "97.30%", Hostile]], "Caption <b>", Set(1),
            new HashSet<(int, int)> { (0, 1) }, new Dictionary<(int, int), string> { [(0, 1)] = "lr=0.1 \"quoted\"" }),
        new Heading("Figures", 3),
        new Figure(Path.GetFileName(png), "PNG plot", "line"),
        new Figure(svg, "SVG plot"), // an absolute path also works
        new KeyValues([new("libtorch", "2.10"), new("host", Hostile)], "Environment"),
        new Code("seed: 0\nnote: ```not a fence end```\n", "yaml"),
    ]);

    static IReadOnlySet<int> Set(params int[] columns) => columns.ToHashSet();

    internal static (string Html, string Markdown, JsonObject Notebook) WriteSample(TempDir dir, out byte[] png, out string svg)
    {
        var pngPath = Plot(dir, "line.png");
        var svgPath = Plot(dir, "line.svg");
        png = File.ReadAllBytes(pngPath);
        svg = File.ReadAllText(svgPath);
        ReportWriter.Write(Sample(pngPath, svgPath), dir.Path);
        return (File.ReadAllText(dir.File("report.html")), File.ReadAllText(dir.File("report.md")),
            JsonNode.Parse(File.ReadAllText(dir.File("report.ipynb")))!.AsObject());
    }

    static IEnumerable<JsonObject> Cells(JsonObject notebook, string type) =>
        notebook["cells"]!.AsArray().Select(c => c!.AsObject()).Where(c => c["cell_type"]!.GetValue<string>() == type);

    static string Joined(JsonNode? multiline) =>
        multiline is JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : multiline!.GetValue<string>();

    [Fact]
    public void HtmlEscapesEveryTextAndEmbedsBothFigures()
    {
        using var dir = new TempDir();
        var (html, _, _) = WriteSample(dir, out var png, out var svg);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<title>Study &lt;script&gt;alert(1)&lt;/script&gt; &amp; co</title>", html);
        Assert.Contains("<td class=\"l\">&lt;script&gt;alert(1)&lt;/script&gt;</td>", html);
        Assert.Contains("<caption>Caption &lt;b&gt;</caption>", html);
        // Numeric columns carry no class (right-aligned by the style sheet); text columns are "l"; notes become titles.
        Assert.Contains("<th class=\"l\">model</th><th>accuracy</th><th class=\"l\">notes</th>", html);
        Assert.Contains("<td class=\"best\" title=\"lr=0.1 &quot;quoted&quot;\">99.10%</td>", html);
        Assert.Contains("<td>97.30%</td>", html);
        Assert.Contains("<h3>Figures</h3>", html);

        var sources = Regex.Matches(html, "src=\"data:(image/[a-z+]+);base64,([A-Za-z0-9+/=]+)\"");
        Assert.Equal(2, sources.Count);
        Assert.Equal(2, Regex.Matches(html, "src=").Count);
        Assert.Equal("image/png", sources[0].Groups[1].Value);
        Assert.Equal(png, Convert.FromBase64String(sources[0].Groups[2].Value));
        Assert.Equal("image/svg+xml", sources[1].Groups[1].Value);
        Assert.Equal(svg, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(sources[1].Groups[2].Value)));
        Assert.Contains("alt=\"line\"", html);
        Assert.Contains("alt=\"SVG plot\"", html);
        Assert.DoesNotContain("http", html);
    }

    [Fact]
    public void MarkdownEscapesMarkupAndKeepsTablesWellFormed()
    {
        using var dir = new TempDir();
        var (_, md, _) = WriteSample(dir, out _, out _);

        // Outside the fenced code, every angle bracket is backslash-escaped: no text can open an HTML tag.
        Assert.DoesNotMatch(@"(?<!\\)<", md[..md.IndexOf("```", StringComparison.Ordinal)]);
        Assert.StartsWith("# Study \\<script\\>alert(1)\\</script\\> \\& co\n", md);
        Assert.Contains("First \\| finding with \\*stars\\* and \\_underscores\\_.", md);
        Assert.Contains("- \\- looks like a list\n- 1\\. looks numbered\n", md);

        var table = md.Split('\n').Where(l => l.StartsWith('|')).ToList();
        Assert.Equal(["| model | accuracy | notes |", "|---|---:|---|", "| cnn | **99.10%** | a\\|b |",
            "| mlp | 97.30% | \\<script\\>alert(1)\\</script\\> |"], table);
        Assert.All(table, line => Assert.Equal(4, Regex.Matches(line, @"(?<!\\)\|").Count));
        Assert.Contains("*Caption \\<b\\>*", md);

        Assert.Contains("![line](line.png)\n\n*PNG plot*", md);
        Assert.Contains("![SVG plot](line.svg)", md);
        Assert.Contains("- **host**: \\<script\\>", md);
        // The code holds a run of three backticks, so its fence takes four.
        Assert.Contains("````yaml\nseed: 0\nnote: ```not a fence end```\n````\n", md);
    }

    [Fact]
    public void NotebookEmbedsOutputsInBlockOrderWithConsistentCounts()
    {
        using var dir = new TempDir();
        var (_, _, nb) = WriteSample(dir, out var png, out var svg);

        Assert.Equal((4, 5), (nb["nbformat"]!.GetValue<int>(), nb["nbformat_minor"]!.GetValue<int>()));
        Assert.Equal("python3", nb["metadata"]!["kernelspec"]!["name"]!.GetValue<string>());
        Assert.Equal("python", nb["metadata"]!["language_info"]!["name"]!.GetValue<string>());
        var cells = nb["cells"]!.AsArray().Select(c => c!.AsObject()).ToList();
        // Title, then one cell per block: tables and figures are code, the rest markdown.
        Assert.Equal(["markdown", "markdown", "markdown", "markdown", "code", "markdown", "code", "code", "markdown", "markdown"],
            cells.Select(c => c["cell_type"]!.GetValue<string>()));
        Assert.Equal(cells.Count, cells.Select(c => c["id"]!.GetValue<string>()).Distinct().Count());
        Assert.All(cells, c => Assert.Matches("^[a-zA-Z0-9_-]{1,64}$", c["id"]!.GetValue<string>()));

        var code = Cells(nb, "code").ToList();
        Assert.Equal([1, 2, 3], code.Select(c => c["execution_count"]!.GetValue<int>()));
        Assert.All(code, c => Assert.Equal(c["execution_count"]!.GetValue<int>(), c["outputs"]![0]!["execution_count"]!.GetValue<int>()));
        Assert.All(Cells(nb, "markdown"), c => Assert.False(c.ContainsKey("outputs") || c.ContainsKey("execution_count")));

        var table = code[0]["outputs"]![0]!["data"]!;
        Assert.DoesNotContain("<script", Joined(table["text/html"]));
        Assert.Contains("<td class=\"best\" title=\"lr=0.1 &quot;quoted&quot;\">99.10%</td>", Joined(table["text/html"]));
        Assert.Equal("model  accuracy  notes\ncnn      99.10%  a|b\nmlp      97.30%  " + Hostile, Joined(table["text/plain"]));
        Assert.StartsWith("# Caption <b>\nimport pandas as pd\n", Joined(code[0]["source"]));

        Assert.Equal("# PNG plot\nfrom IPython.display import Image\n\nImage(filename=\"line.png\")", Joined(code[1]["source"]));
        Assert.Equal(png, Convert.FromBase64String(code[1]["outputs"]![0]!["data"]!["image/png"]!.GetValue<string>()));
        Assert.Equal("SVG(filename=\"line.svg\")", Joined(code[2]["source"]).Split('\n')[^1]);
        // As IPython's SVG display stores it: the <svg> element, without the XML declaration ScottPlot writes before it.
        Assert.StartsWith("<?xml", svg);
        Assert.Equal(svg[svg.IndexOf("<svg", StringComparison.Ordinal)..].TrimEnd(), Joined(code[2]["outputs"]![0]!["data"]!["image/svg+xml"]));

        Assert.All(Cells(nb, "markdown"), c => Assert.DoesNotMatch(@"(?<!\\)<", Joined(c["source"])));
        Assert.Equal("### Figures", Joined(cells[5]["source"]));
    }

    [Fact]
    public void NotebookValidatesAgainstTheNbformatSchemaAndItsCodeCompiles()
    {
        using var dir = new TempDir();
        WriteSample(dir, out _, out _);
        var (exitCode, output) = Nbformat.Validate(dir.File("report.ipynb"));
        Assert.True(exitCode == 0, output);
        Assert.Equal("valid nbformat 4.5, 10 cells", output);
    }

    [Fact]
    public void TheValidatorRejectsAnOutputWithoutItsExecutionCount()
    {
        using var dir = new TempDir();
        var (_, _, nb) = WriteSample(dir, out _, out _);
        Cells(nb, "code").First()["outputs"]![0]!.AsObject().Remove("execution_count");
        File.WriteAllText(dir.File("broken.ipynb"), nb.ToJsonString());
        var (exitCode, output) = Nbformat.Validate(dir.File("broken.ipynb"));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("NotebookValidationError", output);
        Assert.Contains("cells[4]", output);
    }

    [Fact]
    public void BadDocumentsFailWithOneLineNamingTheProblemAndWriteNothing()
    {
        using var dir = new TempDir();
        var ragged = new ReportDocument("r", [new Table(["a", "b"], [["1"]], "scores")]);
        Assert.Equal("report 'r': a row of table 'scores' has 1 cells for 2 columns",
            Assert.Throws<DeepscopeException>(() => ReportWriter.Write(ragged, dir.Path)).Message);
        var missing = new ReportDocument("r", [new Heading("h"), new Figure("plots/none.png", "absent")]);
        Assert.Equal($"{dir.File("plots/none.png")}: report figure not found",
            Assert.Throws<DeepscopeException>(() => ReportWriter.Write(missing, dir.Path)).Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}

public class ReportWriterBrowserTests
{
    [Fact]
    public async Task PngAndSvgFiguresDecodeInChromium()
    {
        using var dir = new TempDir();
        ReportWriterTests.WriteSample(dir, out _, out _);
        var page = await HeadlessChromium.CheckAsync(dir.File("report.html"), TestContext.Current.CancellationToken);
        Assert.Equal("Study <script>alert(1)</script> & co", page.Title);
        Assert.Equal(2, page.Images);
        Assert.Equal(0, page.BrokenImages);
        Assert.Empty(page.ConsoleErrors);
    }
}
