namespace Deepscope.Tests.Support;

/// <summary>
/// The real data in <c>../shared/data</c> beside the repository (or <c>$DEEPSCOPE_SHARED</c>/data). Tests that need it
/// call <see cref="Require"/>, which skips them with a clear message when the data is absent.
/// </summary>
public static class SharedData
{
    public static string? Root { get; } = Locate();

    static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("DEEPSCOPE_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(Path.Combine(env, "data"))) return Path.GetFullPath(env);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared");
            if (File.Exists(Path.Combine(dir.FullName, "Deepscope.slnx")) && Directory.Exists(candidate))
                return Path.GetFullPath(candidate);
        }
        return null;
    }

    /// <summary>The data directory (<c>shared/data</c>), skipping the test unless <paramref name="relative"/> exists in it.</summary>
    public static string Require(string relative = "")
    {
        if (Root == null) Assert.Skip("../shared (real data) not found beside the repository; set DEEPSCOPE_SHARED to its path");
        var data = Path.Combine(Root, "data");
        if (!Path.Exists(Path.Combine(data, relative))) Assert.Skip($"shared data '{relative}' is absent from {data}");
        return data;
    }

    /// <summary>A file of <c>shared/reference</c>, skipping the test when absent.</summary>
    public static string Reference(string relative)
    {
        if (Root == null) Assert.Skip("../shared (reference outputs) not found beside the repository; set DEEPSCOPE_SHARED to its path");
        var path = Path.Combine(Root, "reference", relative);
        if (!File.Exists(path)) Assert.Skip($"reference file {path} is absent");
        return path;
    }
}

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("deepscope-test-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
