using Deepscope.Catalogs;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Deepscope.Cli.Terminal;
using Deepscope.Embedding;
using Deepscope.IO;
using Deepscope.Reports;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope embed</c>: 2-D embeddings of feature files, their quality, and class-coloured plots.</summary>
static class EmbedCommands
{
    public static Command Create()
    {
        var features = new Option<string?>("--features") { Description = "Features (N, D) .npy" };
        var featuresDir = new Option<string?>("--features-dir") { Description = "Extractor output: {split}_features.npy, {split}_labels.npy, features.json (class names under \"classes\")" };
        var split = new Option<string>("--split") { Description = "Split of --features-dir to embed: test or train", DefaultValueFactory = _ => "test" };
        var labels = new Option<string?>("--labels") { Description = "Labels (N) integer .npy, colours the plot" };
        var method = new Option<string>("--method") { Description = $"Method(s), comma-separated: {string.Join(", ", Embedders.Names)}", DefaultValueFactory = _ => "tsne" };
        var parameters = new Option<string[]>("--param") { Description = "Hyper-parameter name=value, repeatable (e.g. perplexity=30, neighbors=15, algorithm=smacof)", AllowMultipleArgumentsPerToken = false };
        var output = new Option<string>("--output") { Description = "Embedding (N, 2) float32 .npy; with several methods, <name>.<method>.npy", Required = true };
        var plotPath = new Option<string?>("--plot") { Description = "Scatter plot, .png or .svg (several methods: one grid)" };
        var thumbnails = new Option<string?>("--thumbnails") { Description = "Images (N, H, W) or (N, C, H, W) .npy drawn at a subset of the points" };
        var limit = new Option<int?>("--limit") { Description = "Embed only the first N samples" };
        var qualityK = new Option<int>("--quality-k") { Description = "Neighbours for trustworthiness/continuity (0 to skip)", DefaultValueFactory = _ => 10 };
        var qualityQueries = new Option<int>("--quality-queries") { Description = "Above this many samples, estimate the quality on a seeded sample of this many query points", DefaultValueFactory = _ => EmbeddingQuality.DefaultMaxQueries };
        var seed = CommonOptions.Seed("every random choice (initialisation, sampling, quality queries)");
        var threads = CommonOptions.Threads();
        var title = new Option<string?>("--name") { Description = "Names the data in plot titles, e.g. \"MNIST test\"" };
        var command = new Command("embed", "2-D embedding (PCA, MDS, Isomap, LLE, spectral, t-SNE, UMAP) of features, with trustworthiness/continuity and a class-coloured plot")
            { features, featuresDir, split, labels, method, parameters, output, plotPath, thumbnails, limit, qualityK, qualityQueries, seed, threads, title };
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var input = LoadInput(parse.GetValue(features), parse.GetValue(featuresDir), parse.GetValue(split)!, parse.GetValue(labels), parse.GetValue(limit));
            using var x = input.Features;
            var methods = parse.GetValue(method)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var parsed = OptionsBinder.ParsePairs(parse.GetValue(parameters) ?? []);
            var options = methods.Select(m => Embedders.Create(m, parsed.Where(p => Accepts(m, p.Key)).ToDictionary()) with { Seed = parse.GetValue(seed) }).ToList();
            var unknown = parsed.Keys.Where(k => !methods.Any(m => Accepts(m, k))).ToList();
            if (unknown.Count > 0) throw new DeepscopeException($"--param {unknown[0]}: not a parameter of {string.Join(", ", methods)}");
            Console.WriteLine($"{input.Source}: {x.shape[0]:N0} samples × {x.shape[1]:N0} features" + (input.Labels != null ? $", {Math.Max(input.Classes.Count, input.Labels.DefaultIfEmpty(-1).Max() + 1)} classes" : ""));

            using var thumbs = parse.GetValue(thumbnails) is { } t ? Npy.Read(t) : null;
            var panels = new List<ScottPlot.Plot>();
            foreach (var option in options)
            {
                var result = CliProgress.Run(p => option.Embed(x, p));
                var outPath = methods.Length == 1 ? parse.GetValue(output)! : WithSuffix(parse.GetValue(output)!, option.Method);
                using (var e = result.ToTensor()) Npy.Write(outPath, e);
                Console.WriteLine($"{result.Method}: {result.Elapsed.TotalSeconds:F2} s, {result.Settings}");
                foreach (var (name, value) in result.Diagnostics) Console.WriteLine($"  {name} = {value.ToString("G6", CultureInfo.InvariantCulture)}");
                EmbeddingQuality? quality = null;
                if (parse.GetValue(qualityK) > 0)
                {
                    using var e = result.ToTensor();
                    quality = EmbeddingQuality.Measure(x, e, parse.GetValue(qualityK), parse.GetValue(qualityQueries), parse.GetValue(seed));
                    Console.WriteLine($"  {quality}");
                }
                WriteRecord(Path.ChangeExtension(outPath, ".json"), input, option, result, quality);
                Console.WriteLine($"  wrote {outPath}");
                if (parse.GetValue(plotPath) != null)
                    panels.Add(EmbeddingPlot.Scatter(result, input.Labels, input.Classes, new EmbeddingPlotOptions
                    {
                        DataName = parse.GetValue(title), Quality = quality, Thumbnails = thumbs is null ? null : Limit(thumbs, x.shape[0]), Seed = parse.GetValue(seed),
                    }));
            }
            if (parse.GetValue(plotPath) is { } path)
            {
                if (panels.Count == 1) EmbeddingPlot.Save(panels[0], path);
                else EmbeddingPlot.SaveGrid(panels, path);
                Console.WriteLine($"wrote {path}");
            }
            return 0;
        });
        return command;
    }

    sealed record Input(Tensor Features, long[]? Labels, IReadOnlyList<string> Classes, string Source);

    static Input LoadInput(string? featuresPath, string? dir, string split, string? labelsPath, int? limit)
    {
        if ((featuresPath == null) == (dir == null)) throw new DeepscopeException("give exactly one of --features and --features-dir");
        IReadOnlyList<string> classes = [];
        if (dir != null)
        {
            if (split is not ("train" or "test")) throw new DeepscopeException($"--split must be train or test, got '{split}'");
            featuresPath = Path.Combine(dir, $"{split}_features.npy");
            var defaultLabels = Path.Combine(dir, $"{split}_labels.npy");
            if (labelsPath == null && File.Exists(defaultLabels)) labelsPath = defaultLabels;
            classes = ReadClasses(Path.Combine(dir, "features.json"));
        }
        if (!File.Exists(featuresPath)) throw new DeepscopeException($"{featuresPath}: no such file");
        var features = Npy.Read(featuresPath!);
        if (features.dim() < 2) throw new InvalidDataFileException(featuresPath!, $"features must be (N, D), got shape ({string.Join(", ", features.shape)})");
        long n = limit is { } l ? Math.Min(l, features.shape[0]) : features.shape[0];
        if (limit is < 1) throw new DeepscopeException($"--limit must be positive, got {limit}");
        features = Limit(features, n);
        long[]? labels = null;
        if (labelsPath != null)
        {
            using var y = Npy.Read(labelsPath);
            if (y.dim() != 1 || y.shape[0] < n) throw new InvalidDataFileException(labelsPath, $"labels must be (N) with N ≥ {n}, got shape ({string.Join(", ", y.shape)})");
            if (y.is_floating_point()) throw new InvalidDataFileException(labelsPath, "labels must be integers");
            using var taken = y.narrow(0, 0, n).to_type(ScalarType.Int64);
            labels = taken.data<long>().ToArray();
            if (labels.Any(v => v < 0)) throw new InvalidDataFileException(labelsPath, "labels must be non-negative");
        }
        return new Input(features, labels, classes, featuresPath!);
    }

    static Tensor Limit(Tensor t, long n) => t.shape[0] == n ? t : t.narrow(0, 0, n);

    static IReadOnlyList<string> ReadClasses(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("classes", out var classes) && classes.ValueKind == JsonValueKind.Array
                ? [.. classes.EnumerateArray().Select(c => c.ToString())]
                : [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataFileException(path, $"not valid JSON ({e.Message})");
        }
    }

    static bool Accepts(string method, string parameter)
    {
        var key = parameter.Replace("_", "").Replace("-", "").ToLowerInvariant();
        return Embedders.Create(method).ParameterNames().Any(p => p.Replace("_", "") == key);
    }

    static string WithSuffix(string path, string suffix) =>
        Path.Combine(Path.GetDirectoryName(path) ?? "", $"{Path.GetFileNameWithoutExtension(path)}.{suffix}{Path.GetExtension(path)}");

    static void WriteRecord(string path, Input input, EmbeddingOptions options, EmbeddingResult result, EmbeddingQuality? quality)
    {
        var record = new Dictionary<string, object?>
        {
            ["method"] = options.Method,
            ["options"] = options.Parameters(),
            ["settings"] = result.Settings,
            ["features"] = input.Source,
            ["samples"] = result.Count,
            ["seconds"] = result.Elapsed.TotalSeconds,
            ["diagnostics"] = result.Diagnostics,
            ["quality"] = quality,
            ["versions"] = TorchRuntime.Versions(),
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(record, JsonFormat.Options));
    }
}
