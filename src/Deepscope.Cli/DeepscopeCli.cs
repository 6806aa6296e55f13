using System.CommandLine;
using Deepscope.Cli.Commands;

namespace Deepscope.Cli;

/// <summary>The <c>deepscope</c> command tree and its one place of error handling.</summary>
public static class DeepscopeCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Deepscope: deep-learning research on images from .NET: datasets, scattering and CNN features, embeddings, learners, training.");
        root.Subcommands.Add(DataCommands.Create());
        root.Subcommands.Add(ScatterCommand.Create());
        root.Subcommands.Add(FeatureCommands.Create());
        foreach (var command in TrainCommands.Create()) root.Subcommands.Add(command);
        root.Subcommands.Add(ClassifyCommands.Create());
        root.Subcommands.Add(EmbedCommands.Create());
        root.Subcommands.Add(InspectCommands.Create());
        root.Subcommands.Add(SegmentCommands.Create());
        root.Subcommands.Add(TextCommands.Create());
        foreach (var command in ExperimentCommands.Create()) root.Subcommands.Add(command);
        root.Subcommands.Add(RamCommands.Create());
        root.Subcommands.Add(CryoEmCommands.Create());
        foreach (var command in DenoiseCommands.Create()) root.Subcommands.Add(command);
        root.Subcommands.Add(DenoiseTrainCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        root.Subcommands.Add(DcfCommands.Create());
        root.Subcommands.Add(BenchCommands.Create());
        foreach (var command in AttackCommands.Create()) root.Subcommands.Add(command);
        return root;
    }

    /// <summary>Runs the CLI; user errors become one line on stderr and a non-zero exit code.</summary>
    public static int Run(string[] args)
    {
        try
        {
            var parsed = Build().Parse(args);
            if (RunsACommand(parsed)) Runtime.Nnpack.Disable();
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Unwrap(e) is DeepscopeException user)
        {
            Console.Error.WriteLine($"deepscope: error: {user.Message}");
            return 1;
        }
        catch (Exception e) when (Unwrap(e) is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"deepscope: error: {Unwrap(e).Message}");
            return 1;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("DEEPSCOPE_DEBUG") != "1")
        {
            var inner = Unwrap(e);
            Console.Error.WriteLine($"deepscope: internal error: {inner.GetType().Name}: {inner.Message} (set DEEPSCOPE_DEBUG=1 for the stack trace)");
            return 2;
        }
    }

    /// <summary>False for help, version and parse errors, which need no libtorch (loading it costs a second).</summary>
    static bool RunsACommand(ParseResult parsed) => parsed.Errors.Count == 0
        && parsed.Action is not (null or System.CommandLine.Help.HelpAction) && parsed.Action.GetType().DeclaringType != typeof(VersionOption);

    static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0]) : e;
}
