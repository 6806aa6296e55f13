using Deepscope.Catalogs;
using Deepscope.Reports;
using Deepscope.Studies;

namespace Deepscope.Tests.Studies.PiEstimation;

/// <summary>Where the estimates are written in the report.</summary>
public sealed record PiReportOptions
{
    [Param(Description = "digits shown in the report table", Min = 1, Max = 12)]
    public int Digits { get; init; } = 4;
}

/// <summary>The example study's options: a grid of sample sizes x repeats.</summary>
public sealed record PiEstimationOptions
{
    [Param(Description = "points drawn per estimate; one grid row per value", Min = 1)]
    public int[] Samples { get; init; } = [1000, 10000];

    [Param(Description = "independent estimates per sample size (seeds seed, seed+1, ...)", Min = 1, Max = 100)]
    public int Repeats { get; init; } = 2;

    public PiReportOptions Report { get; init; } = new();
}

/// <summary>One estimate: the grid cell, the value and its error.</summary>
public sealed record PiEstimate(int Samples, int Repeat, double Estimate, double AbsoluteError);

/// <summary>
/// A study small enough to read in one go, added by this folder and one catalog line: Monte Carlo estimates of pi,
/// one stage per (sample size, repeat) cell, so it resumes and shards like any study.
/// </summary>
public sealed class PiEstimationStudy(PiEstimationOptions options) : IStudy
{
    IEnumerable<(int Samples, int Repeat)> Cells() =>
        options.Samples.SelectMany(n => Enumerable.Range(0, options.Repeats).Select(r => (n, r)));

    StageKey Key((int Samples, int Repeat) cell, StudyContext context) => new("pi-estimate", new { cell.Samples, cell.Repeat, context.Seed });

    public void Run(StudyContext context)
    {
        foreach (var cell in context.MyCells(Cells()))
            context.Stage(Key(cell, context), $"pi from {cell.Samples} points, repeat {cell.Repeat}", () =>
            {
                var random = new Random(checked((int)context.Seed + cell.Repeat * 7919 + cell.Samples));
                int inside = 0;
                for (int i = 0; i < cell.Samples; i++)
                {
                    double x = random.NextDouble(), y = random.NextDouble();
                    if (x * x + y * y <= 1) inside++;
                }
                double estimate = 4.0 * inside / cell.Samples;
                return new PiEstimate(cell.Samples, cell.Repeat, estimate, Math.Abs(estimate - Math.PI));
            });
    }

    public StudyReport Report(StudyContext context)
    {
        var estimates = Cells().Select(c => context.Lookup<PiEstimate>(Key(c, context))?.Value).OfType<PiEstimate>().ToList();
        string f = "F" + options.Report.Digits;
        var table = new Table(["points", "repeat", "estimate", "|error|"],
            estimates.Select(e => (IReadOnlyList<string>)[e.Samples.ToString(), e.Repeat.ToString(), e.Estimate.ToString(f), e.AbsoluteError.ToString(f)]).ToList(),
            RightAligned: new HashSet<int> { 0, 1, 2, 3 });
        return new StudyReport(new ReportDocument("Monte Carlo estimates of pi", [new Heading("Estimates"), table]), estimates);
    }
}
