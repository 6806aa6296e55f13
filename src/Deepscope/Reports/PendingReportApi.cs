namespace Deepscope.Reports;
// TEMPORARY (replaced when the reports branch merges): the report writer API the study host codes against.
public static class ReportWriter
{
    public static void Write(ReportDocument document, string directory)
    {
        if (document.Blocks is [PendingContent p, ..]) ExperimentReport.Write(p.Content, directory);
        else IO.AtomicFile.WriteAllText(Path.Combine(directory, "report.html"), $"<html><h1>{System.Net.WebUtility.HtmlEncode(document.Title)}</h1></html>");
    }
}
public sealed record PendingContent(ReportContent Content) : ReportBlock;
public static class ExperimentReportPending
{
    public static ReportDocument Document(ReportContent content) => new(content.Title, [new PendingContent(content)]);
}
