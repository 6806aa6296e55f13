namespace Deepscope.Reports;
// TEMPORARY (replaced when the reports branch merges): the report writer API the study host codes against.
public static class ReportWriter
{
    public static void Write(ReportDocument document, string directory) =>
        ExperimentReport.Write(((PendingContent)document.Blocks[0]).Content, directory);
}
public sealed record PendingContent(ReportContent Content) : ReportBlock;
public static class ExperimentReportPending
{
    public static ReportDocument Document(ReportContent content) => new(content.Title, [new PendingContent(content)]);
}
