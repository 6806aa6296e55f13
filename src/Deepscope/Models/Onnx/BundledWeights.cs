using static TorchSharp.torch;

namespace Deepscope.Models.Onnx;

/// <summary>
/// Pretrained weights that come with Deepscope, so that the model needs no <c>--weights</c>: an ONNX file of a NuGet
/// package that the build copies beside the assemblies, the input normalisation it was trained with, and the changes
/// that make its state fit our definition (e.g. a BGR first convolution turned RGB).
/// </summary>
public sealed record BundledWeights(string Origin, Func<string> Locate, Func<InputNormalization> Normalization,
    Action<Dictionary<string, Tensor>> Adapt);

/// <summary>
/// The ImageNet ResNet-18 of ML.NET's <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> package (MIT): exported from
/// CNTK, torchvision's architecture with three blocks in layer4 and no classifier, trained on BGR pixels in 0..255
/// minus a per-pixel mean image (its ResNetPreprocess.onnx), with no division by a standard deviation.
/// </summary>
public static class CntkResNet18
{
    public const string Package = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    public const string ModelFile = "ResNet18Onnx/ResNet18.onnx";
    public const string PreprocessFile = "ResNetPrepOnnx/ResNetPreprocess.onnx";

    static readonly Lazy<InputNormalization> LazyNormalization = new(() => ReadNormalization(Locate(PreprocessFile)));

    public static long[] BlocksPerStage { get; } = [2, 2, 2, 3];

    public static BundledWeights Weights { get; } = new($"{Package} (NuGet, MIT): {ModelFile}", () => Locate(ModelFile),
        () => LazyNormalization.Value, state =>
        {
            // The network reads BGR: reversing conv1's input channels lets it read RGB like every other model here.
            var conv1 = state["conv1.weight"];
            state["conv1.weight"] = conv1.flip(1).contiguous();
            conv1.Dispose();
        });

    /// <summary>
    /// The preprocessing graph's mean image (the constant its Sub node subtracts, BGR in 0..255), as an RGB
    /// normalisation of [0, 1] input: 255 x - m = (x - m / 255) / (1 / 255).
    /// </summary>
    public static InputNormalization ReadNormalization(string path)
    {
        using var file = OnnxFile.Read(path);
        var graph = new OnnxGraph(file);
        var sub = file.Nodes.SingleOrDefault(n => n.OpType == "Sub") ?? throw graph.Error("no Sub node subtracting the mean image");
        var mean = graph.Constant(sub, 1);
        if (mean.Dims is not [1, 3, var h, var w]) throw graph.Error($"{sub.Label}: the mean image has shape ({string.Join(", ", mean.Dims)}), not (1, 3, H, W)");
        long plane = h * w;
        var rgb = new float[mean.Values.Length];
        for (int c = 0; c < 3; c++)
            for (long i = 0; i < plane; i++) rgb[c * plane + i] = mean.Values[(2 - c) * plane + i] / 255f;
        var channelMeans = Enumerable.Range(0, 3).Select(c => (float)rgb.Skip((int)(c * plane)).Take((int)plane).Average()).ToArray();
        return new InputNormalization(channelMeans, [1 / 255f, 1 / 255f, 1 / 255f]) { MeanImage = rgb, MeanImageHeight = (int)h, MeanImageWidth = (int)w };
    }

    /// <summary>
    /// A file of the package's tools/DnnImageModels folder: beside the assemblies (where the build copies it), else in the
    /// NuGet package cache (NUGET_PACKAGES or ~/.nuget/packages), any restored version.
    /// </summary>
    public static string Locate(string relative)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "DnnImageModels", relative);
        if (File.Exists(beside)) return beside;
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var packageDir = Path.Combine(cache, Package.ToLowerInvariant());
        var cached = Directory.Exists(packageDir)
            ? Directory.GetDirectories(packageDir).Order(StringComparer.Ordinal).Select(v => Path.Combine(v, "tools", "DnnImageModels", relative)).LastOrDefault(File.Exists)
            : null;
        return cached ?? throw new DeepscopeException(
            $"the bundled ONNX file {relative} was found neither at {beside} nor in {packageDir}: restore the solution (dotnet build) to fetch {Package}");
    }
}
