namespace Deepscope.Reports;

/// <summary>
/// A report as a list of blocks, written once by a study and rendered by the report writers to self-contained HTML,
/// Markdown and a Jupyter notebook. Figures are files in the run folder (ScottPlot PNG/SVG) named relative to it.
/// </summary>
public sealed record ReportDocument(string Title, IReadOnlyList<ReportBlock> Blocks);

/// <summary>One block of a report.</summary>
public abstract record ReportBlock;

/// <summary>A section heading; level 2 is a section, 3 a subsection.</summary>
public sealed record Heading(string Text, int Level = 2) : ReportBlock;

/// <summary>Prose in plain text (one paragraph per string); the writers escape it.</summary>
public sealed record Paragraphs(IReadOnlyList<string> Lines) : ReportBlock;

/// <summary>A bulleted list of findings.</summary>
public sealed record Bullets(IReadOnlyList<string> Items) : ReportBlock;

/// <summary>
/// A table of already formatted cells; <see cref="RightAligned"/> marks numeric columns, <see cref="Highlighted"/> the
/// cells to stand out (the best result), <see cref="Notes"/> a hover text per cell (the parameters behind a score; HTML only).
/// </summary>
public sealed record Table(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, string? Caption = null,
    IReadOnlySet<int>? RightAligned = null, IReadOnlySet<(int Row, int Column)>? Highlighted = null,
    IReadOnlyDictionary<(int Row, int Column), string>? Notes = null) : ReportBlock;

/// <summary>An image file (PNG or SVG, path relative to the run folder) with its caption and a short text in its place (alt).</summary>
public sealed record Figure(string Path, string Caption, string? AltText = null) : ReportBlock;

/// <summary>Verbatim text: the experiment file, a log excerpt. <see cref="Language"/> names it for highlighting (yaml, json).</summary>
public sealed record Code(string Text, string Language = "") : ReportBlock;

/// <summary>Name/value pairs shown as a two-column table (environment, settings).</summary>
public sealed record KeyValues(IReadOnlyList<KeyValuePair<string, string>> Pairs, string? Caption = null) : ReportBlock;
