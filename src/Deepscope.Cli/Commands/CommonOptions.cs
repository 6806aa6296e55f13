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
