using System.Text;
using System.Text.RegularExpressions;

namespace Deepscope.Reports;

/// <summary>
/// Renders a report as GitHub-flavoured Markdown: figures linked relative to the report (which sits in the run folder),
/// text escaped so that no name or cell can open HTML, emphasis, a link or a table column.
/// </summary>
static partial class MarkdownReport
{
    public static string Render(ReportDocument document, string runDirectory) =>
        $"# {Text(document.Title)}\n\n" + string.Join("\n", document.Blocks.Select(b => Block(b, runDirectory)));

    /// <summary>One block as Markdown, ending with a newline; the notebook's markdown cells use it too.</summary>
    public static string Block(ReportBlock block, string runDirectory) => block switch
    {
        Heading heading => $"{new string('#', heading.Level)} {Text(heading.Text)}\n",
        Paragraphs paragraphs => string.Join("\n", paragraphs.Lines.Select(line => Text(line) + "\n")),
        Bullets bullets => string.Concat(bullets.Items.Select(item => $"- {Text(item)}\n")),
        Table table => Table(table),
        Figure figure => $"![{Text(figure.AltText ?? figure.Caption)}]({Link(FigureFile.Locate(runDirectory, figure))})\n\n*{Text(figure.Caption)}*\n",
        Code code => Fenced(code),
        KeyValues pairs => string.Concat(pairs.Pairs.Select(p => $"- **{Text(p.Key)}**: {Text(p.Value)}\n")) +
                           (pairs.Caption is null ? "" : $"\n*{Text(pairs.Caption)}*\n"),
        _ => throw new DeepscopeException($"the Markdown report cannot render a {block.GetType().Name} block"),
    };

    static string Table(Table table)
    {
        var right = table.RightAligned ?? new HashSet<int>();
        var m = new StringBuilder("| ").AppendJoin(" | ", table.Columns.Select(Text)).Append(" |\n|")
            .AppendJoin("", table.Columns.Select((_, c) => right.Contains(c) ? "---:|" : "---|")).Append('\n');
        for (int r = 0; r < table.Rows.Count; r++)
            m.Append("| ").AppendJoin(" | ", table.Rows[r].Select((cell, c) => table.Highlighted?.Contains((r, c)) == true ? $"**{Text(cell)}**" : Text(cell))).Append(" |\n");
        if (table.Caption is not null) m.Append($"\n*{Text(table.Caption)}*\n");
        return m.ToString();
    }

    /// <summary>A fence longer than any run of backticks in the text, so the text cannot close it.</summary>
    static string Fenced(Code code)
    {
        var longest = BacktickRuns().Matches(code.Text).Select(m => m.Length).DefaultIfEmpty(0).Max();
        var fence = new string('`', Math.Max(3, longest + 1));
        return $"{fence}{code.Language}\n{code.Text.TrimEnd()}\n{fence}\n";
    }

    /// <summary>
    /// One line of plain text as inline Markdown: the characters that start markup are backslash-escaped (a
    /// <c>&lt;script&gt;</c> shows as text; a <c>|</c> cannot split a table cell), line breaks become spaces, and a
    /// leading list or quote marker is escaped so the text cannot turn into a list.
    /// </summary>
    public static string Text(string text)
    {
        var m = new StringBuilder(text.Length + 8);
        foreach (var c in text.Trim())
        {
            if (c is '\r' or '\n') { m.Append(' '); continue; }
            if (@"\`*_[]<>&|#~".Contains(c)) m.Append('\\');
            m.Append(c);
        }
        return LeadingListMarker().Replace(m.ToString(), @"$1\$2");
    }

    // Angle brackets keep a path with spaces or parentheses one link target.
    static string Link(string path) => path.IndexOfAny([' ', '(', ')']) >= 0 ? $"<{path}>" : path;

    [GeneratedRegex("`+")]
    private static partial Regex BacktickRuns();

    [GeneratedRegex(@"^(\d*)([-+=.)])(?=\s|$)")]
    private static partial Regex LeadingListMarker();
}
