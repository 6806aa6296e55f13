using System.Globalization;
using System.Text.Json;
using Deepscope.Data;
using Deepscope.Experiments;
using Deepscope.IO;
using Deepscope.Reports;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Studies;

/// <summary>Where a run writes and reads, and what part of it this process does.</summary>
/// <param name="OutputDirectory">The run folder: config, stages, results, report, run record.</param>
/// <param name="CacheDirectory">The cross-run store of reusable stages (default: $DEEPSCOPE_CACHE, else ~/.cache/deepscope/features).</param>
/// <param name="Force">Recompute stored stages (features, results) once in this invocation.</param>
/// <param name="Seed">Overrides the file's <c>seed</c>.</param>
/// <param name="Threads">libtorch threads (default: all cores).</param>
public sealed record RunSettings(string OutputDirectory, string? DataDirectory = null, string? CacheDirectory = null,
    bool Force = false, bool AllowDownload = true, Shard? Shard = null, long? Seed = null, int? Threads = null)
{
    public static string DefaultCacheDirectory() =>
        Environment.GetEnvironmentVariable("DEEPSCOPE_CACHE") is { Length: > 0 } env ? Path.GetFullPath(env)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "deepscope", "features");
}

/// <summary>
/// Runs any study the same way: the run folder with the experiment file copied in (<c>config.yaml</c>), the seed,
/// this shard's cells, then the report from the stage store (<c>report.html</c>, <c>report.md</c>, <c>report.ipynb</c>),
/// <c>results.json</c>, <c>timings.json</c> and the run record (<c>run.json</c>: config, versions, machine, timings).
/// </summary>
public static class StudyHost
{
    public const string ConfigFile = "config.yaml";

    /// <summary>Runs everything of this shard not already stored and returns the path of report.html.</summary>
    public static string Run(StudyPlan plan, RunSettings settings, IProgressReporter? progress = null)
    {
        var started = DateTime.UtcNow;
        var context = Context(plan, settings, progress);
        Directory.CreateDirectory(context.RunDirectory);
        AtomicFile.WriteAllText(Path.Combine(context.RunDirectory, ConfigFile), plan.SourceText);
        TorchRuntime.Configure(settings.Threads);
        manual_seed(context.Seed);
        plan.CreateStudy().Run(context);
        var report = WriteReport(plan, context);
        var record = new RunRecordFile(plan.SourceFile, plan.StudyName, context.Seed, context.Shard.ToString(), started, DateTime.UtcNow,
            context.Clock.Elapsed.TotalSeconds, Environment(context), context.Timings);
        var name = context.Shard.IsWhole ? "run.json" : $"run.shard-{context.Shard.Index}-of-{context.Shard.Count}.json";
        AtomicFile.WriteAllText(Path.Combine(context.RunDirectory, name), JsonSerializer.Serialize(record, JsonFormat.Options));
        return report;
    }

    /// <summary>
    /// Rebuilds the report of a run folder from its stored stages (<c>deepscope report</c>): after all shards of a grid
    /// have run, this merges their results into one report. Returns the path of report.html.
    /// </summary>
    public static string Report(string runDirectory, RunSettings? settings = null)
    {
        var config = Path.Combine(Path.GetFullPath(runDirectory), ConfigFile);
        if (!File.Exists(config)) throw new InvalidDataFileException(config, "not found: is this a run folder written by 'deepscope run'?");
        var plan = StudyFile.Load(config);
        var context = Context(plan, (settings ?? new RunSettings(runDirectory)) with { OutputDirectory = runDirectory }, null, ExperimentFolder(runDirectory));
        return WriteReport(plan, context);
    }

    /// <summary>
    /// The folder of the experiment file the run was started from (its run records name it), where the file's relative
    /// paths point; null when no record names an existing one. The copy in the run folder is elsewhere.
    /// </summary>
    static string? ExperimentFolder(string runDirectory)
    {
        foreach (var file in Directory.GetFiles(runDirectory, "run*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                using var record = JsonDocument.Parse(File.ReadAllText(file));
                if (record.RootElement.TryGetProperty("config", out var source) && Path.GetDirectoryName(source.GetString()) is { } folder && Directory.Exists(folder))
                    return folder;
            }
            catch (JsonException) { } // a damaged record names nothing; the next may
        }
        return null;
    }

    static StudyContext Context(StudyPlan plan, RunSettings settings, IProgressReporter? progress, string? experimentFolder = null) => new()
    {
        RunDirectory = Path.GetFullPath(settings.OutputDirectory),
        CacheDirectory = settings.CacheDirectory ?? RunSettings.DefaultCacheDirectory(),
        DataDirectory = DataDirectory.Resolve(settings.DataDirectory ?? plan.DataDir),
        BaseDirectory = experimentFolder ?? Path.GetDirectoryName(plan.SourceFile)!,
        Seed = settings.Seed ?? plan.Seed,
        Name = plan.Name,
        ConfigText = plan.SourceText,
        Shard = settings.Shard ?? Shard.Whole,
        Force = settings.Force,
        AllowDownload = settings.AllowDownload,
        Progress = progress ?? NoProgress.Instance,
    };

    static string WriteReport(StudyPlan plan, StudyContext context)
    {
        var report = plan.CreateStudy().Report(context);
        AtomicFile.WriteAllText(Path.Combine(context.RunDirectory, "results.json"), JsonSerializer.Serialize(report.Results, JsonFormat.Options));
        AtomicFile.WriteAllText(Path.Combine(context.RunDirectory, "timings.json"), JsonSerializer.Serialize(context.Timings, JsonFormat.Options));
        ReportWriter.Write(report.Document, context.RunDirectory);
        return Path.Combine(context.RunDirectory, "report.html");
    }

    /// <summary>Versions, machine and times, for the run record and the report.</summary>
    public static IReadOnlyDictionary<string, string> Environment(StudyContext context) =>
        new Dictionary<string, string>(TorchRuntime.Versions().ToDictionary())
        {
            ["seed"] = context.Seed.ToString(CultureInfo.InvariantCulture),
            ["shard"] = context.Shard.ToString(),
            ["machine"] = $"{System.Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {CpuModel()}",
            ["wall time (this invocation)"] = $"{context.Clock.Elapsed.TotalSeconds:F1} s",
            // A resumed run is quick; this is what all its stages took, including earlier invocations.
            ["time of all stages"] = $"{context.Timings.Sum(t => t.Seconds):F1} s",
        };

    static string CpuModel() =>
        CpuInfo.Field("model name") ?? "unknown";

    sealed record RunRecordFile(string Config, string Study, long Seed, string Shard, DateTime StartedUtc, DateTime FinishedUtc,
        double TotalSeconds, IReadOnlyDictionary<string, string> Environment, IReadOnlyList<StageTiming> Timings);
}
