using System.Diagnostics;
using Deepscope.Data;
using Deepscope.Reports;

namespace Deepscope.Studies;

/// <summary>
/// What a study runs in: its run folder and stage stores, the data and cache folders, the seed, the shard, progress
/// and the timings of its stages. One per invocation of <c>deepscope run</c> or <c>deepscope report</c>.
/// </summary>
public sealed class StudyContext
{
    readonly HashSet<string> _recomputed = new(StringComparer.Ordinal);
    readonly List<StageTiming> _timings = new();

    public required string RunDirectory { get; init; }
    /// <summary>The cross-run store (feature matrices and other reusable stages).</summary>
    public required string CacheDirectory { get; init; }
    public required string DataDirectory { get; init; }
    /// <summary>The experiment file's folder: relative paths in the file are relative to it.</summary>
    public required string BaseDirectory { get; init; }
    public required long Seed { get; init; }
    /// <summary>The run's name (the file's <c>name</c>, else its file name).</summary>
    public string Name { get; init; } = "run";
    /// <summary>The experiment file as written, for the report.</summary>
    public string ConfigText { get; init; } = "";
    public Shard Shard { get; init; } = Shard.Whole;
    /// <summary>Recompute every stage once in this invocation instead of reusing stored results.</summary>
    public bool Force { get; init; }
    public bool AllowDownload { get; init; } = true;
    public IProgressReporter Progress { get; init; } = NoProgress.Instance;

    /// <summary>The stages of this run (results, trained models), under the run folder.</summary>
    public StageStore Stages => new(Path.Combine(RunDirectory, "stages"));
    /// <summary>Stages shared across runs (features), under <see cref="CacheDirectory"/>.</summary>
    public StageStore Cache => new(CacheDirectory);
    public DatasetStore Datasets => new(DataDirectory, AllowDownload, Progress);

    /// <summary>Started with the invocation: its wall time so far.</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>Every stage seen in this invocation, run or found, in first-seen order.</summary>
    public IReadOnlyList<StageTiming> Timings => _timings;

    /// <summary>The cells of a grid this shard runs (every <see cref="Shard.Count"/>-th, in the grid's order).</summary>
    public IEnumerable<T> MyCells<T>(IEnumerable<T> cells) => cells.Where((_, i) => Shard.Owns(i));

    /// <summary>A finished stage from <paramref name="store"/> (default: the run's), noting its timing; null when not finished.</summary>
    public StageRecord<T>? Lookup<T>(StageKey key, StageStore? store = null)
    {
        store ??= Stages;
        var record = store.Find<T>(key);
        if (record is not null) Note(new StageTiming(record.Label, record.Seconds, FromCache: store.Root != Stages.Root));
        return record;
    }

    /// <summary>Whether the stage needs no computing in this invocation: stored, and not to be recomputed by <see cref="Force"/>.</summary>
    public bool IsFinished(StageKey key, StageStore? store = null)
    {
        store ??= Stages;
        return (!Force || _recomputed.Contains(store.RecordPath(key))) && store.Has(key);
    }

    /// <summary>The stage's stored result, or runs it, saves it (atomically) and returns it.</summary>
    public T Stage<T>(StageKey key, string label, Func<T> run, StageStore? store = null)
    {
        store ??= Stages;
        if (IsFinished(key, store) && Lookup<T>(key, store) is { } done) return done.Value;
        var clock = Stopwatch.StartNew();
        var value = run();
        store.Save(key, label, value, clock.Elapsed.TotalSeconds, Shard.IsWhole ? null : Shard.ToString());
        _recomputed.Add(store.RecordPath(key));
        Note(new StageTiming(label, clock.Elapsed.TotalSeconds));
        return value;
    }

    /// <summary>Times work that is not a stored stage (loading a dataset).</summary>
    public T Time<T>(string label, Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        var result = work();
        Note(new StageTiming(label, clock.Elapsed.TotalSeconds));
        return result;
    }

    /// <summary>A path from the experiment file: <c>~</c> is the home folder; relative paths are relative to the file.</summary>
    public string ResolvePath(string path)
    {
        if (path.StartsWith("~/", StringComparison.Ordinal))
            path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]);
        return Path.GetFullPath(path, BaseDirectory);
    }

    void Note(StageTiming timing)
    {
        int at = _timings.FindIndex(t => t.Stage == timing.Stage);
        if (at >= 0) _timings[at] = timing;
        else _timings.Add(timing);
    }
}
