namespace Deepscope.Data.Generators;

/// <summary>
/// Runs a generator into a hidden sibling folder and renames it into place at the end, so an interrupted or failed
/// generation leaves no half-written data set behind.
/// </summary>
public static class DatasetGeneration
{
    /// <summary>Generates into <paramref name="output"/>; an existing non-empty folder is replaced only with <paramref name="overwrite"/>.</summary>
    public static string Generate(IDatasetGenerator generator, string output, long seed, bool overwrite = false, IProgressReporter? progress = null)
    {
        var target = Path.GetFullPath(output);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !overwrite)
            throw new DeepscopeException($"{output}: folder exists and is not empty (pass --force to replace it)");
        var parent = Path.GetDirectoryName(target) ?? throw new DeepscopeException($"{output}: not a folder path");
        Directory.CreateDirectory(parent);
        var partial = Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Environment.ProcessId}");
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        try
        {
            var summary = generator.Generate(partial, seed, progress ?? NoProgress.Instance);
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(partial, target);
            return summary;
        }
        catch
        {
            Directory.Delete(partial, recursive: true);
            throw;
        }
    }
}
