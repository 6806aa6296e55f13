using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Deepscope.Cli.Terminal;
using Deepscope.Data;
using Deepscope.Features.Cnn;
using Deepscope.IO;
using Deepscope.Models;
using Deepscope.Models.Pretrained;
using Deepscope.Runtime;
using Spectre.Console;
using static TorchSharp.torch;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope features cnn</c>: activations of a pretrained torchvision network for an .npy array or a dataset.</summary>
static class CnnFeatureCommands
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = $"Network: {string.Join(", ", CnnModels.All)}", Required = true };
        var weights = new Option<string?>("--weights")
        {
            Description = $"Weights: a torchvision .pth (e.g. resnet18-f37072fd.pth), a training checkpoint wrapping a state dict, .safetensors, or an ONNX export; not needed for {string.Join(", ", CnnModels.Bundled)} (bundled)",
        };
        var layer = new Option<string[]>("--layer")
        {
            Description = "torchvision module whose output is the feature (avgpool, layer3, features.29, classifier.4, ...); repeat or comma-separate for several layers in one pass",
        };
        var input = new Option<string?>("--input") { Description = "Images as .npy: (N,3,H,W) or (N,H,W), float32 in [0,1] or uint8" };
        var dataset = new Option<string?>("--dataset") { Description = $"Dataset instead of --input: {string.Join(", ", Datasets.Names)}" };
        var output = new Option<string?>("--output")
        {
            Description = "With --input: the features .npy (N, D); several layers go to <stem>.<layer>.npy. With --dataset: the feature directory",
        };
        var resize = new Option<int?>("--resize") { Description = "Resize the shorter side to N pixels (bilinear, antialiased) first; default keeps the size" };
        var crop = new Option<int?>("--center-crop") { Description = "Then crop the central NxN square (e.g. --resize 256 --center-crop 224)" };
        var bf16 = new Option<bool>("--bf16") { Description = "Run the network in bfloat16 (faster on CPUs with AMX; features stay float32)" };
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass", DefaultValueFactory = _ => 32 };
        var threads = CommonOptions.Threads();
        var limit = new Option<long?>("--limit") { Description = "With --dataset: only the first N images of each split" };
        var listLayers = new Option<bool>("--list-layers") { Description = "Print the model's layer names and feature sizes (for --resize N, else 224) and exit" };
        var dataDir = CommonOptions.DataDir();
        var noDownload = CommonOptions.NoDownload();
        var command = new Command("cnn", "Activations of a pretrained ResNet/VGG/AlexNet at any layers, flattened per image, streamed to .npy")
            { model, weights, layer, input, dataset, output, resize, crop, bf16, batch, threads, limit, listLayers, dataDir, noDownload };
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var options = new CnnFeatureOptions
            {
                Model = parse.GetValue(model)!,
                Layers = [.. (parse.GetValue(layer) ?? []).SelectMany(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
                Preprocessing = new ImageNetPreprocessing(parse.GetValue(resize), parse.GetValue(crop)),
                BFloat16 = parse.GetValue(bf16),
                BatchSize = parse.GetValue(batch),
            };
            if (parse.GetValue(listLayers)) return ListLayers(options);
            var weightsPath = parse.GetValue(weights);
            if (weightsPath is null && !CnnModels.Bundled.Contains(options.Model))
                throw new DeepscopeException($"--weights is required for {options.Model}: a .pth, .safetensors or .onnx file of the model");
            var outputPath = parse.GetValue(output) ?? throw new DeepscopeException("--output is required");
            var (inputPath, datasetName) = (parse.GetValue(input), parse.GetValue(dataset));
            if ((inputPath == null) == (datasetName == null)) throw new DeepscopeException("give exactly one of --input X.npy and --dataset NAME");
            options.Validate();

            var clock = Stopwatch.StartNew();
            using var extractor = CnnFeatureExtractor.Load(options, weightsPath);
            double loadSeconds = clock.Elapsed.TotalSeconds;
            if (inputPath != null) return FromArray(extractor, inputPath, outputPath, loadSeconds);
            return FromDataset(extractor, datasetName!, parse.GetValue(limit), outputPath, parse.GetValue(dataDir), !parse.GetValue(noDownload),
                new Dictionary<string, JsonNode?>
                {
                    ["weights"] = Path.GetFullPath(weightsPath ?? ModelZoo.Get(options.Model).Bundled!.Locate()),
                    ["weights_bytes"] = new FileInfo(weightsPath ?? ModelZoo.Get(options.Model).Bundled!.Locate()).Length,
                    ["limit"] = parse.GetValue(limit),
                    ["threads"] = get_num_threads(),
                    ["load_seconds"] = Math.Round(loadSeconds, 3),
                });
        });
        return command;
    }

    static int FromArray(CnnFeatureExtractor extractor, string inputPath, string outputPath, double loadSeconds)
    {
        using var images = Npy.Read(inputPath);
        if (images.dim() is not (3 or 4) || images.shape[0] == 0)
            throw new InvalidDataFileException(inputPath, $"expected images (N,3,H,W) or (N,H,W), got shape ({string.Join(", ", images.shape)})");
        var layers = extractor.Options.Layers;
        var dims = extractor.Dimensions(images.shape[1..]);
        var paths = layers.ToDictionary(l => l, l => layers.Count == 1 ? outputPath : LayerPath(outputPath, l));
        var writers = layers.ToDictionary(l => l, l => new NpyStreamWriter(paths[l], ScalarType.Float32, dims[l]));
        try
        {
            double seconds = CliProgress.Run(p => extractor.Run(images, features =>
            {
                foreach (var l in layers) writers[l].Append(features[l]);
            }, p, $"{extractor.Options.Model} features"));
            foreach (var w in writers.Values) w.Complete();
            foreach (var l in layers) Console.WriteLine($"{l}: wrote {paths[l]} ({images.shape[0]}, {dims[l]})");
            Console.WriteLine($"{images.shape[0]} images in {seconds:F2} s ({images.shape[0] / Math.Max(seconds, 1e-9):F1} images/s; weights loaded in {loadSeconds:F2} s)");
            return 0;
        }
        finally
        {
            foreach (var w in writers.Values) w.Dispose();
        }
    }

    /// <summary>F.npy and layer classifier.4 give F.classifier.4.npy.</summary>
    internal static string LayerPath(string outputPath, string layer)
    {
        var stem = outputPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? outputPath[..^4] : outputPath;
        return $"{stem}.{layer}.npy";
    }

    static int FromDataset(CnnFeatureExtractor extractor, string datasetName, long? limit, string directory, string? dataDir, bool allowDownload,
        Dictionary<string, JsonNode?> settings)
    {
        if (limit is < 1) throw new DeepscopeException($"--limit must be at least 1, got {limit}");
        var spec = Datasets.Get(datasetName);
        var info = CliProgress.Run(p =>
        {
            var store = new DatasetStore(DataDirectory.Resolve(dataDir), allowDownload, p);
            using var train = Limit(store.Load(spec, Split.Train), limit);
            using var test = Limit(store.Load(spec, Split.Test), limit);
            return CnnFeatureDirectory.Write(directory, extractor, spec.Name, train, test, settings, p);
        });
        Console.WriteLine($"wrote {directory}: train_features [{info.TrainCount}, {info.FeatureDim}], test_features [{info.TestCount}, {info.FeatureDim}], " +
            $"{info.TimingsSeconds["images_per_second"]} images/s");
        return 0;
    }

    static LabeledImages Limit(LabeledImages set, long? limit)
    {
        if (limit is not { } n || n >= set.Count) return set;
        using (set) return set.Take(n);
    }

    static int ListLayers(CnnFeatureOptions options)
    {
        int size = options.Preprocessing.Resize ?? 224;
        using var model = CnnModels.Create(options.Model, CnnModels.Bundled.Contains(options.Model) ? 0 : 1000);
        var modules = LayerWalk.NamedModules(model);
        var names = modules.Select(m => m.Name).ToList();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var preprocessing = options.Preprocessing with { Normalization = CnnModels.Normalization(options.Model) };
        var preprocessed = preprocessing.Apply(zeros(1, 3, size, size));
        var features = LayerWalk.Run(model, preprocessed, names);
        var table = new Table().AddColumns("layer", "module", $"features per image ({preprocessed.shape[2]}x{preprocessed.shape[3]} input)");
        foreach (var (name, module) in modules) table.AddRow(name, module.GetType().Name, features[name].shape[1].ToString("N0"));
        AnsiConsole.Write(table);
        return 0;
    }
}
