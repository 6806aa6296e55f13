using Deepscope.Reports;

namespace Deepscope.Studies;

/// <summary>
/// A research study bound to its options (an options record read from the experiment file). <see cref="Run"/> does
/// this shard's cells of the study's grid, each a stage saved in the context's store as soon as it is finished;
/// <see cref="Report"/> builds the report and the results from what the store holds, so it can run after all shards.
/// </summary>
public interface IStudy
{
    void Run(StudyContext context);

    StudyReport Report(StudyContext context);
}

/// <summary>What a study reports: the document (rendered to HTML, Markdown and a notebook) and its results for <c>results.json</c>.</summary>
public sealed record StudyReport(ReportDocument Document, object Results);
