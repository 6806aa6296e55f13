using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Deepscope.Reports;

/// <summary>
/// Renders a report as a Jupyter notebook (nbformat 4.5) that shows everything without being run: prose, lists,
/// settings and code are markdown cells; each table is a pandas cell and each figure an IPython.display cell, both with
/// the output they would produce stored in the file (the table as HTML and plain text, the figure's PNG or SVG bytes).
/// Execution counts number the code cells in order, as one top-to-bottom run would.
/// </summary>
static class NotebookReport
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Render(ReportDocument document, string runDirectory)
    {
        var cells = new JsonArray { Markdown($"# {MarkdownReport.Text(document.Title)}\n") };
        int executed = 0;
        foreach (var block in document.Blocks)
            cells.Add(block switch
            {
                Table table => Executed(TableSource(table), TableOutput(table), ++executed),
                Figure figure => FigureCell(figure, FigureFile.Read(runDirectory, figure), ++executed),
                _ => Markdown(MarkdownReport.Block(block, runDirectory)),
            });
        for (int i = 0; i < cells.Count; i++) cells[i]!["id"] = $"cell-{i + 1}";
        var notebook = new JsonObject
        {
            ["cells"] = cells,
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = "Python 3", ["language"] = "python", ["name"] = "python3" },
                ["language_info"] = new JsonObject
                {
                    ["name"] = "python", ["mimetype"] = "text/x-python", ["file_extension"] = ".py", ["pygments_lexer"] = "ipython3",
                    ["codemirror_mode"] = new JsonObject { ["name"] = "ipython", ["version"] = 3 }, ["nbconvert_exporter"] = "python",
                },
                ["title"] = document.Title,
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        return notebook.ToJsonString(Json) + "\n";
    }

    static JsonObject Markdown(string text) =>
        new() { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = Lines(text.TrimEnd('\n')) };

    static JsonObject Executed(string source, JsonObject data, int count) => new()
    {
        ["cell_type"] = "code", ["execution_count"] = count, ["metadata"] = new JsonObject(), ["source"] = Lines(source),
        ["outputs"] = new JsonArray(new JsonObject
        {
            ["output_type"] = "execute_result", ["execution_count"] = count, ["data"] = data, ["metadata"] = new JsonObject(),
        }),
    };

    /// <summary>Python that rebuilds the table as a DataFrame; JSON string and list literals are valid Python literals.</summary>
    static string TableSource(Table table) =>
        Comment(table.Caption) + "import pandas as pd\n\npd.DataFrame([\n" +
        string.Concat(table.Rows.Select(row => $"    {Literal(row)},\n")) + $"], columns={Literal(table.Columns)})";

    static string Literal(IReadOnlyList<string> cells) => JsonSerializer.Serialize(cells, Compact);

    static JsonObject TableOutput(Table table) => new()
    {
        ["text/html"] = Lines(HtmlReport.Table(table)),
        ["text/plain"] = Lines(PlainText(table)),
    };

    /// <summary>An IPython.display cell showing the file, with the output it gives stored (PNG as base64, SVG as markup).</summary>
    static JsonObject FigureCell(Figure figure, FigureFile file, int count)
    {
        var display = file.IsSvg ? "SVG" : "Image";
        var source = Comment(figure.Caption) + $"from IPython.display import {display}\n\n{display}(filename={JsonSerializer.Serialize(file.RelativePath, Compact)})";
        JsonObject output = file.IsSvg
            ? new() { ["image/svg+xml"] = Lines(SvgElement(Encoding.UTF8.GetString(file.Bytes))), ["text/plain"] = "<IPython.core.display.SVG object>" }
            : new() { ["image/png"] = Convert.ToBase64String(file.Bytes), ["text/plain"] = "<IPython.core.display.Image object>" };
        return Executed(source, output, count);
    }

    /// <summary>The &lt;svg&gt; element without the XML declaration before it, as IPython's SVG display stores it (it goes into the page's DOM).</summary>
    static string SvgElement(string svg) => svg.IndexOf("<svg", StringComparison.Ordinal) is >= 0 and var start ? svg[start..].TrimEnd() : svg;

    /// <summary>The table in columns padded to their widths, as the notebook's plain-text fallback.</summary>
    static string PlainText(Table table)
    {
        var right = table.RightAligned ?? new HashSet<int>();
        var rows = table.Rows.Prepend(table.Columns).Select(row => row.Select(cell => cell.ReplaceLineEndings(" ")).ToList()).ToList();
        var widths = Enumerable.Range(0, table.Columns.Count).Select(c => rows.Max(row => row[c].Length)).ToList();
        return string.Join("\n", rows.Select(row => string.Join("  ",
            row.Select((cell, c) => right.Contains(c) ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd()));
    }

    static string Comment(string? caption) => caption is null ? "" : $"# {caption.ReplaceLineEndings(" ")}\n";

    /// <summary>Text as nbformat's list of lines, each but the last keeping its newline.</summary>
    static JsonArray Lines(string text)
    {
        var lines = new JsonArray();
        for (int start = 0; start < text.Length;)
        {
            var end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            lines.Add(JsonValue.Create(text[start..end]));
            start = end;
        }
        return lines;
    }
}
