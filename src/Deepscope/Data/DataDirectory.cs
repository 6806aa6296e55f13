namespace Deepscope.Data;

/// <summary>Where datasets live: <c>--data-dir</c>, else <c>$DEEPSCOPE_DATA</c>, else <c>~/.cache/deepscope</c>.</summary>
public static class DataDirectory
{
    public const string EnvironmentVariable = "DEEPSCOPE_DATA";

    public static string Resolve(string? explicitDirectory = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitDirectory)) return Path.GetFullPath(explicitDirectory);
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return Path.GetFullPath(fromEnvironment);
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "deepscope");
    }
}
