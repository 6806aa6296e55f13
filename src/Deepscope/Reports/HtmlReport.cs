using System.Net;
using System.Text;

namespace Deepscope.Reports;

/// <summary>
/// Renders a report as one self-contained HTML page: the style sheet inline, every figure embedded as a data URI, no
/// script and no external resource, so the file can be mailed or archived alone. All text is HTML-escaped.
/// </summary>
/// <remarks>
/// SVG figures are embedded as <c>data:image/svg+xml</c> images rather than inline markup: an inline SVG shares the
/// page's id space (two plots' clip paths would collide) and could run script; as an image it cannot.
/// </remarks>
static class HtmlReport
{
    static readonly Lazy<string> Style = new(() =>
    {
        using var stream = typeof(HtmlReport).Assembly.GetManifestResourceStream("Deepscope.Reports.report.css")!;
        return new StreamReader(stream).ReadToEnd();
    });

    public static string Render(ReportDocument document, string runDirectory)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(document.Title)).Append("</title>\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<style>\n").Append(Style.Value).Append("</style></head><body>\n")
            .Append("<h1>").Append(E(document.Title)).Append("</h1>\n");
        var blocks = document.Blocks;
        for (int i = 0; i < blocks.Count; i++)
        {
            if (blocks[i] is not Figure) { Block(h, blocks[i]); continue; }
            // Consecutive figures share one responsive grid.
            h.Append("<div class=\"figs\">\n");
            for (; i < blocks.Count && blocks[i] is Figure figure; i++) h.Append(Embedded(figure, runDirectory));
            h.Append("</div>\n");
            i--;
        }
        return h.Append("</body></html>\n").ToString();
    }

    static void Block(StringBuilder h, ReportBlock block)
    {
        switch (block)
        {
            case Heading heading:
                h.Append($"<h{heading.Level}>{E(heading.Text)}</h{heading.Level}>\n");
                break;
            case Paragraphs paragraphs:
                foreach (var line in paragraphs.Lines) h.Append($"<p>{E(line)}</p>\n");
                break;
            case Bullets bullets:
                h.Append("<ul>").AppendJoin("", bullets.Items.Select(item => $"<li>{E(item)}</li>")).Append("</ul>\n");
                break;
            case Table table:
                h.Append(Table(table));
                break;
            case Code code:
                var language = code.Language.Length > 0 ? $" class=\"language-{E(code.Language)}\"" : "";
                h.Append($"<pre><code{language}>{E(code.Text.TrimEnd())}</code></pre>\n");
                break;
            case KeyValues pairs:
                h.Append("<table>").Append(Caption(pairs.Caption)).Append("<tbody>")
                    .AppendJoin("", pairs.Pairs.Select(p => $"<tr><th class=\"l\">{E(p.Key)}</th><td class=\"l\">{E(p.Value)}</td></tr>"))
                    .Append("</tbody></table>\n");
                break;
            default:
                throw new DeepscopeException($"the HTML report cannot render a {block.GetType().Name} block");
        }
    }

    /// <summary>A table as HTML: numeric columns right-aligned, highlighted cells marked, notes as hover titles.</summary>
    public static string Table(Table table)
    {
        var right = table.RightAligned ?? new HashSet<int>();
        var h = new StringBuilder("<table>").Append(Caption(table.Caption)).Append("<thead><tr>");
        for (int c = 0; c < table.Columns.Count; c++) h.Append($"<th{Classes(!right.Contains(c), false)}>{E(table.Columns[c])}</th>");
        h.Append("</tr></thead><tbody>\n");
        for (int r = 0; r < table.Rows.Count; r++)
        {
            h.Append("<tr>");
            for (int c = 0; c < table.Columns.Count; c++)
            {
                var best = table.Highlighted?.Contains((r, c)) == true;
                var title = table.Notes?.GetValueOrDefault((r, c)) is { } note ? $" title=\"{E(note)}\"" : "";
                h.Append($"<td{Classes(!right.Contains(c), best)}{title}>{E(table.Rows[r][c])}</td>");
            }
            h.Append("</tr>\n");
        }
        return h.Append("</tbody></table>\n").ToString();
    }

    static string Embedded(Figure figure, string runDirectory)
    {
        var file = FigureFile.Read(runDirectory, figure);
        return $"<figure><img alt=\"{E(figure.AltText ?? figure.Caption)}\" src=\"data:{file.MediaType};base64,{Convert.ToBase64String(file.Bytes)}\">" +
               $"<figcaption>{E(figure.Caption)}</figcaption></figure>\n";
    }

    // Cells are right-aligned unless marked "l", so a numeric cell carries no class unless it is the highlighted one.
    static string Classes(bool left, bool highlighted) => (left, highlighted) switch
    {
        (false, false) => "",
        (true, false) => " class=\"l\"",
        (false, true) => " class=\"best\"",
        (true, true) => " class=\"l best\"",
    };

    static string Caption(string? caption) => caption is null ? "" : $"<caption>{E(caption)}</caption>";

    static string E(string text) => WebUtility.HtmlEncode(text);
}
