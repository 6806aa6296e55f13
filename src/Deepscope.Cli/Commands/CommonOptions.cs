using System.CommandLine;
using Deepscope.Data;

namespace Deepscope.Cli.Commands;

/// <summary>Options shared by several commands, declared once.</summary>
static class CommonOptions
{
    public static Option<string?> DataDir() => new("--data-dir")
    {
        Description = $"Data directory (default: ${DataDirectory.EnvironmentVariable}, else ~/.cache/deepscope)",
    };

    public static Option<string[]> Mirror() => new("--mirror")
    {
        Description = "Base URL tried before the official sources when downloading (<mirror>/<dataset>/<file>); also $DEEPSCOPE_MIRROR",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The one <c>--threads</c> of every command that computes (applied by <c>TorchRuntime.Configure</c>).</summary>
    public static Option<int?> Threads() => new("--threads") { Description = "libtorch threads (default: all cores)" };

    /// <summary>The one <c>--seed</c> of every command that draws random numbers; <paramref name="what"/> says which.</summary>
    public static Option<long> Seed(string what) => new("--seed") { Description = $"Seed of {what} (the same seed gives the same result)", DefaultValueFactory = _ => 0 };

    public static Option<bool> NoDownload() => new("--no-download") { Description = "Fail instead of downloading missing files" };

    public static Argument<string> Dataset() => new("dataset")
    {
        Description = $"Dataset name: {string.Join(", ", Datasets.Names)}",
    };

    public static IReadOnlyList<string> Mirrors(string[]? fromOption)
    {
        var env = Environment.GetEnvironmentVariable("DEEPSCOPE_MIRROR");
        return [.. fromOption ?? [], .. string.IsNullOrWhiteSpace(env) ? Array.Empty<string>() : env.Split(';', StringSplitOptions.RemoveEmptyEntries)];
    }
}
