using System.Globalization;
using Deepscope.Embedding;
using Deepscope.Experiments;
using Deepscope.Learners;

namespace Deepscope.Studies.FeatureComparison;

/// <summary>
/// Reads the feature-comparison keys of an experiment file (format in experiments/experiment.schema.json). Every
/// problem is reported with the file, line and column: unknown keys, wrong types, out-of-range values, unknown
/// datasets, features, methods or learners.
/// </summary>
public static class FeatureComparisonFile
{
    public static readonly string[] FeatureKinds = ["pixels", "scattering", "cnn"];
    static readonly string[] Splits = ["train", "test"];
    public static readonly string[] FinetuneModes = ["linear-probe", "last-layers", "full"];

    public static FeatureComparisonOptions Read(YamlMap root)
    {
        var options = new FeatureComparisonOptions
        {
            Datasets = ReadDatasets(root),
            Features = ReadFeatures(root),
            Embeddings = ReadEmbeddings(root),
            Learners = ReadLearners(root),
            CrossValidationFolds = root.Int("cv", 3, min: 2, max: 100)!.Value,
            Scale = root.Bool("scale", true)!.Value,
            Pca = root.Int("pca", null, min: 1),
            Finetune = ReadFinetune(root),
        };
        root.RejectUnknownKeys();
        if (options.Features.Count == 0) throw new InvalidDataFileException(root.File, "no 'features' listed: nothing to compare");
        if (options.Learners.Count == 0 && options.Embeddings == null)
            throw new InvalidDataFileException(root.File, "neither 'learners' nor 'embeddings' listed: nothing to do");
        return options;
    }

    static IReadOnlyList<DatasetSelection> ReadDatasets(YamlMap root)
    {
        var known = Data.Datasets.Names.ToArray();
        var list = root.NamedList("datasets");
        if (list.Count == 0) throw root.Error(new YamlDotNet.Core.Mark(), "missing required key 'datasets'");
        return list.Select(item =>
        {
            if (!known.Contains(item.Name))
                throw root.Error(item.Where, $"unknown dataset '{item.Name}' (known: {string.Join(", ", known)})");
            var s = item.Settings;
            var selection = new DatasetSelection(item.Name, s?.Int("train_subset", null, min: 1), s?.Int("test_subset", null, min: 1));
            s?.RejectUnknownKeys();
            return selection;
        }).ToList();
    }

    static IReadOnlyList<FeatureSpec> ReadFeatures(YamlMap root) => root.NamedList("features").Select(item =>
    {
        var s = item.Settings;
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Put(string key, object? value)
        {
            if (value != null) settings[key] = Convert.ToString(value, CultureInfo.InvariantCulture)!.ToLowerInvariant();
        }
        switch (item.Name)
        {
            case "pixels":
                break;
            case "scattering":
                Put("J", s?.Int("J", null, min: 1, max: 8) ?? throw root.Error(item.Where, "scattering needs 'J' (e.g. scattering: {J: 2})"));
                Put("L", s?.Int("L", 8, min: 1, max: 16));
                Put("max_order", s?.Int("max_order", 2, min: 1, max: 2));
                break;
            case "cnn":
                if (s == null) throw root.Error(item.Where, "cnn needs settings: {model: resnet18, weights: W.pth, layer: avgpool}");
                Put("model", s.RequireString("model"));
                settings["weights"] = s.RequireString("weights"); // a path: case kept
                Put("layer", s.RequireString("layer"));
                Put("resize", s.Int("resize", null, min: 8, max: 1024));
                Put("bf16", s.Bool("bf16", false));
                break;
            default:
                throw root.Error(item.Where, $"unknown feature extractor '{item.Name}' (known: {string.Join(", ", FeatureKinds)})");
        }
        s?.RejectUnknownKeys();
        return new FeatureSpec(item.Name, settings);
    }).ToList();

    static EmbeddingPlan? ReadEmbeddings(YamlMap root)
    {
        if (root.Map("embeddings") is not { } e) return null;
        var methods = e.Strings("methods");
        foreach (var m in methods.Where(m => !Embedders.Catalog.Contains(m)))
            throw e.Error(e.Where("methods"), $"unknown embedding method '{m}' in 'embeddings.methods' (known: {string.Join(", ", Embedders.Names)})");
        var parameters = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        if (e.Map("params") is { } p)
        {
            foreach (var method in p.Keys.ToList())
            {
                var map = p.Map(method)!;
                if (!methods.Contains(method))
                    throw new InvalidDataFileException(e.File, $"'embeddings.params.{method}' given but '{method}' is not in 'embeddings.methods'");
                parameters[method] = map.RawValues().ToDictionary(kv => kv.Key, kv => string.Join(",", kv.Value));
                Checked(p, method, () => Embedders.Create(method, parameters[method]));
            }
        }
        var plan = new EmbeddingPlan(methods, e.Choice("split", Splits, "test")!, e.Int("samples", 2000, min: 10)!.Value, parameters);
        e.RejectUnknownKeys();
        return plan;
    }

    static IReadOnlyList<LearnerSpec> ReadLearners(YamlMap root) => root.NamedList("learners").Select(item =>
    {
        if (!LearnerCatalog.Names.Contains(item.Name))
            throw root.Error(item.Where, $"unknown learner '{item.Name}' (known: {string.Join(", ", LearnerCatalog.Names)})");
        var grid = item.Settings?.RawValues() ?? new Dictionary<string, IReadOnlyList<string>>();
        // Every name and every candidate value is checked now, not after the features are extracted.
        foreach (var (name, values) in grid)
            foreach (var value in values)
                Checked(item.Settings!, name, () => LearnerCatalog.Create(item.Name, new Dictionary<string, string> { [name] = value }));
        return new LearnerSpec(item.Name, grid);
    }).ToList();

    /// <summary>Runs a catalog's check of parameters, reporting its error at the key's place in the file.</summary>
    static void Checked(YamlMap map, string key, Action check)
    {
        try { check(); }
        catch (DeepscopeException e) when (e is not InvalidDataFileException) { throw map.Error(map.Where(key), e.Message); }
    }

    static FinetuneSpec? ReadFinetune(YamlMap root)
    {
        if (root.Map("finetune") is not { } f) return null;
        var model = f.Choice("model", Models.ModelZoo.Names.ToList()) ?? f.RequireString("model");
        var weights = f.String("weights");
        // Without pretrained weights there is nothing to keep frozen: the model is trained whole, from scratch.
        var mode = f.Choice("mode", FinetuneModes, weights == null ? "full" : "linear-probe")!;
        if (weights == null && mode != "full")
            throw new InvalidDataFileException(f.File, $"'finetune.mode: {mode}' needs pretrained 'finetune.weights'; without weights use mode: full (training from scratch)");
        var spec = new FinetuneSpec(model, weights, mode, f.Int("epochs", 3, min: 1, max: 1000)!.Value, f.Double("lr", 0.01, min: 0)!.Value,
            f.Int("batch_size", 128, min: 1)!.Value, f.Int("image_size", null, min: 8, max: 1024));
        f.RejectUnknownKeys();
        return spec;
    }
}
