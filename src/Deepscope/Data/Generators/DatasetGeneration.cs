using Deepscope.IO;

namespace Deepscope.Data.Generators;

/// <summary>
/// Runs a generator into a hidden sibling folder and renames it into place at the end, so an interrupted or failed
/// generation leaves no half-written data set behind.
/// </summary>
public static class DatasetGeneration
{
    /// <summary>Generates into <paramref name="output"/>; an existing non-empty folder is replaced only with <paramref name="overwrite"/>.</summary>
    public static string Generate(IDatasetGenerator generator, string output, long seed, bool overwrite = false, IProgressReporter? progress = null) =>
        AtomicDirectory.Write(output, overwrite, partial => generator.Generate(partial, seed, progress ?? NoProgress.Instance));
}
