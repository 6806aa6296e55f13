namespace Deepscope.IO;

/// <summary>
/// Fills a hidden sibling folder and renames it into place at the end, so an interrupted or failed command leaves no
/// half-written output folder behind.
/// </summary>
public static class AtomicDirectory
{
    /// <summary>Runs <paramref name="write"/> on a fresh folder that becomes <paramref name="output"/>; an existing non-empty folder is replaced only with <paramref name="overwrite"/>.</summary>
    public static T Write<T>(string output, bool overwrite, Func<string, T> write)
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
            var result = write(partial);
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(partial, target);
            return result;
        }
        catch
        {
            Directory.Delete(partial, recursive: true);
            throw;
        }
    }
}
