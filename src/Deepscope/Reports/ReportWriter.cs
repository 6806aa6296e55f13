using Deepscope.IO;

namespace Deepscope.Reports;

/// <summary>
/// Writes a <see cref="ReportDocument"/> into its run folder three ways, the same blocks in the same order:
/// <c>report.html</c> (self-contained), <c>report.md</c> (figures linked) and <c>report.ipynb</c> (a Jupyter notebook
/// with its outputs embedded). All three are rendered before any is written, so a bad document leaves no partial set.
/// </summary>
public static class ReportWriter
{
    public const string HtmlFile = "report.html", MarkdownFile = "report.md", NotebookFile = "report.ipynb";

    public static void Write(ReportDocument document, string runDirectory)
    {
        Check(document, runDirectory);
        var html = HtmlReport.Render(document, runDirectory);
        var markdown = MarkdownReport.Render(document, runDirectory);
        var notebook = NotebookReport.Render(document, runDirectory);
        Directory.CreateDirectory(runDirectory);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, HtmlFile), html);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, MarkdownFile), markdown);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, NotebookFile), notebook);
    }

    /// <summary>The shape rules the renderers rely on: whole table rows, known columns, existing figures.</summary>
    static void Check(ReportDocument document, string runDirectory)
    {
        foreach (var block in document.Blocks)
            switch (block)
            {
                case Heading { Level: < 1 or > 6 } h:
                    throw new DeepscopeException($"report '{document.Title}': heading '{h.Text}' has level {h.Level}, expected 1 to 6");
                case Table t:
                    if (t.Rows.FirstOrDefault(r => r.Count != t.Columns.Count) is { } row)
                        throw new DeepscopeException($"report '{document.Title}': a row of table '{t.Caption ?? string.Join(", ", t.Columns)}' " +
                                                     $"has {row.Count} cells for {t.Columns.Count} columns");
                    if (t.RightAligned?.FirstOrDefault(c => c < 0 || c >= t.Columns.Count, -1) is int column and >= 0)
                        throw new DeepscopeException($"report '{document.Title}': right-aligned column {column} is outside the table's {t.Columns.Count} columns");
                    break;
                case Figure f:
                    FigureFile.Check(runDirectory, f);
                    break;
            }
    }
}

/// <summary>A figure's file as the renderers need it: the path relative to the report, its media type and its bytes.</summary>
sealed record FigureFile(string RelativePath, string MediaType, byte[] Bytes)
{
    public bool IsSvg => MediaType == "image/svg+xml";

    /// <summary>Where the figure stands relative to the run folder, with forward slashes (also for absolute paths).</summary>
    public static string Locate(string runDirectory, Figure figure) =>
        Path.GetRelativePath(runDirectory, Path.Combine(runDirectory, figure.Path)).Replace('\\', '/');

    public static FigureFile Read(string runDirectory, Figure figure)
    {
        var (path, mediaType) = Check(runDirectory, figure);
        return new FigureFile(Locate(runDirectory, figure), mediaType, File.ReadAllBytes(path));
    }

    /// <summary>The figure's full path and media type, once it is known to be an existing PNG or SVG file.</summary>
    public static (string Path, string MediaType) Check(string runDirectory, Figure figure)
    {
        var path = Path.Combine(runDirectory, figure.Path);
        var mediaType = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".svg" => "image/svg+xml",
            _ => throw new DeepscopeException($"{path}: a report figure must be a PNG or SVG file"),
        };
        if (!File.Exists(path)) throw new DeepscopeException($"{path}: report figure not found");
        return (path, mediaType);
    }
}
