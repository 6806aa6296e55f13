using System.CommandLine;
using Deepscope.Cli.Terminal;
using Deepscope.Experiments;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope run FILE.yaml</c>: an experiment end to end, ending with the path of its report.</summary>
static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("experiment") { Description = "Experiment file (YAML; see experiments/experiment.schema.json)" };
        var output = new Option<string?>("--output") { Description = "Run folder (default: runs/<name>)" };
        var dataDir = CommonOptions.DataDir();
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Feature cache (default: $DEEPSCOPE_CACHE, else ~/.cache/deepscope/features)" };
        var force = new Option<bool>("--force") { Description = "Recompute cached features and earlier results" };
        var noDownload = CommonOptions.NoDownload();
        var command = new Command("run", "Run an experiment: features -> embeddings and learners -> report (resumes a killed run)")
            { file, output, dataDir, cacheDir, force, noDownload };
        command.SetAction(parse =>
        {
            var config = ExperimentFile.Load(parse.GetValue(file)!);
            var options = new RunOptions(parse.GetValue(output) ?? Path.Combine("runs", config.Name), parse.GetValue(dataDir),
                parse.GetValue(cacheDir), parse.GetValue(force), !parse.GetValue(noDownload));
            var report = CliProgress.Run(p => new ExperimentRunner(config, options, p).Run());
            Console.WriteLine($"report: {report}");
            return 0;
        });
        return command;
    }
}
