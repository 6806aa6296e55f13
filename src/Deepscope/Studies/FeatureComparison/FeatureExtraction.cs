using System.Globalization;
using Deepscope.Data;
using Deepscope.Features;

namespace Deepscope.Studies.FeatureComparison;

/// <summary>
/// Turns a <see cref="FeatureSpec"/> into a feature set on disk (the shared FeatureSet layout): a stage of the cross-run
/// store keyed by dataset, subset sizes and settings, so a later run (or another shard) with the same key reuses it.
/// </summary>
public static class FeatureExtraction
{
    // Bump when what an extractor writes changes, so old stored sets are not reused.
    const string Version = "2";

    public static StageKey Key(DatasetSelection dataset, FeatureSpec feature, StudyContext context) =>
        new("features", new
        {
            Version, Dataset = dataset.Name, dataset.TrainSubset, dataset.TestSubset, Extractor = feature.Kind,
            // Weights by their full path: the same file name in two folders is two different models.
            Settings = feature.Settings.ToDictionary(p => p.Key, p => p.Key == "weights" ? context.ResolvePath(p.Value) : p.Value),
        });

    /// <summary>The stored feature set, extracted first when the store does not hold it.</summary>
    public static FeatureSet GetOrExtract(DatasetSelection dataset, FeatureSpec feature, Func<(LabeledImages Train, LabeledImages Test)> images,
        StudyContext context)
    {
        var key = Key(dataset, feature, context);
        var subsets = $"{dataset.TrainSubset?.ToString(CultureInfo.InvariantCulture) ?? "all"}-{dataset.TestSubset?.ToString(CultureInfo.InvariantCulture) ?? "all"}";
        var folder = context.Cache.ArtifactFolder(key, $"{dataset.Name}-{feature.Kind}-{subsets}");
        context.Stage(key, $"features {feature.Label} on {dataset.Name}", () =>
        {
            // Written aside and renamed into place: a killed extraction or a second shard never sees half a set.
            var temp = $"{folder}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            try
            {
                var (train, test) = images();
                Extract(temp, feature, train, test, dataset.Name, context);
                if (context.Force && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                if (!Directory.Exists(folder)) Directory.Move(temp, folder);
            }
            finally
            {
                if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            }
            return Path.GetFileName(folder);
        }, context.Cache);
        return FeatureSet.Load(folder);
    }

    /// <summary>Writes the feature set into <paramref name="folder"/> with the extractor of the catalog, weights resolved against the experiment file.</summary>
    static void Extract(string folder, FeatureSpec feature, LabeledImages train, LabeledImages test, string dataset, StudyContext context)
    {
        var settings = feature.Settings.ToDictionary(p => p.Key, p => p.Key == "weights" ? context.ResolvePath(p.Value) : p.Value);
        FeatureExtractors.Catalog.Create(feature.Kind, settings).Extract(folder, dataset, train, test, context.Progress);
    }
}
