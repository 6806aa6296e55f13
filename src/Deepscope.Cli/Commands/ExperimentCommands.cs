using System.CommandLine;
using Deepscope.Cli.Terminal;
using Deepscope.Experiments;
using Deepscope.Studies;

namespace Deepscope.Cli.Commands;

/// <summary>
/// The commands of experiment files: <c>deepscope run FILE.yaml</c> (a study end to end, or one shard of its grid),
/// <c>deepscope report RUN_DIR</c> and <c>deepscope schema</c>.
/// </summary>
static class ExperimentCommands
{
    public static IEnumerable<Command> Create() => [Run(), Report(), Schema()];

    static Command Run()
    {
        var file = new Argument<string>("experiment") { Description = "Experiment file (YAML; see experiments/experiment.schema.json)" };
        var output = new Option<string?>("--output") { Description = "Run folder (default: runs/<name>); shards of one grid share it" };
        var dataDir = CommonOptions.DataDir();
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Store of stages reused across runs, such as features (default: $DEEPSCOPE_CACHE, else ~/.cache/deepscope/features)" };
        var force = new Option<bool>("--force") { Description = "Recompute stored features and earlier results" };
        var noDownload = CommonOptions.NoDownload();
        var shard = new Option<string?>("--shard") { Description = "Run only shard I of N of the study's grid (I/N, 0-based: every N-th cell); then 'deepscope report RUN_DIR' merges the shards" };
        var seed = new Option<long?>("--seed") { Description = "Seed of every random choice (default: the file's 'seed', else 0)" };
        var threads = CommonOptions.Threads();
        var command = new Command("run", $"Run a study from an experiment file (studies: {string.Join(", ", StudyCatalog.Catalog.Names)}); resumes a killed run")
            { file, output, dataDir, cacheDir, force, noDownload, shard, seed, threads };
        command.SetAction(parse =>
        {
            var plan = StudyFile.Load(parse.GetValue(file)!);
            var settings = new RunSettings(parse.GetValue(output) ?? Path.Combine("runs", plan.Name), parse.GetValue(dataDir),
                parse.GetValue(cacheDir), parse.GetValue(force), !parse.GetValue(noDownload),
                parse.GetValue(shard) is { } s ? Shard.Parse(s) : null, parse.GetValue(seed), parse.GetValue(threads));
            var report = CliProgress.Run(p => StudyHost.Run(plan, settings, p));
            Console.WriteLine($"report: {report}");
            return 0;
        });
        return command;
    }

    static Command Report()
    {
        var run = new Argument<string>("run") { Description = "Run folder written by 'deepscope run' (by one or by all shards)" };
        var dataDir = CommonOptions.DataDir();
        var cacheDir = new Option<string?>("--cache-dir") { Description = "The store the run used for reusable stages, for their timings (default as for run)" };
        var command = new Command("report", "Rebuild a run's report, results.json and timings from its stored stages (merges the shards of a grid)")
            { run, dataDir, cacheDir };
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(run)!;
            var report = StudyHost.Report(directory, new RunSettings(directory, parse.GetValue(dataDir), parse.GetValue(cacheDir)));
            Console.WriteLine($"report: {report}");
            return 0;
        });
        return command;
    }

    static Command Schema()
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write the schema here (default: standard output), e.g. experiments/experiment.schema.json" };
        var command = new Command("schema", "Print the JSON Schema of experiment files, written from the study and component catalogs") { output };
        command.SetAction(parse =>
        {
            if (parse.GetValue(output) is { } path) IO.AtomicFile.WriteAllText(path, ExperimentSchema.Text());
            else Console.Write(ExperimentSchema.Text());
            return 0;
        });
        return command;
    }
}
