namespace Deepscope.Data.Generators;

/// <summary>
/// A seeded synthetic data set written to a folder: the stand-in for a private data set (paintings, wafer images,
/// glass scans, cluttered digits) in tests, demos and quickstarts. The same options and seed write the same files.
/// </summary>
public interface IDatasetGenerator
{
    /// <summary>
    /// Writes the data set into <paramref name="folder"/>, which exists and is empty; returns one line saying what
    /// was written. Callers go through <see cref="DatasetGeneration.Generate"/>, which makes the result appear whole or not at all.
    /// </summary>
    string Generate(string folder, long seed, IProgressReporter progress);
}
