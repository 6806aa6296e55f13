using Deepscope.Models.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Deepscope.Models.Pretrained;

/// <summary>
/// The torchvision classification networks Deepscope can load pretrained weights into. The modules are TorchSharp's
/// TorchVision ports, whose state-dict keys and shapes equal torchvision's; <see cref="LayerWalk"/> supplies
/// torchvision's module names and forward order where the port differs (block ReLUs, the ResNet flatten module).
/// Besides them, <see cref="Bundled"/> models come with their weights (ONNX files restored by the build).
/// </summary>
public static class CnnModels
{
    /// <summary>Model names, as torchvision spells them, with the official ImageNet weight file of each (from <see cref="ModelZoo"/>).</summary>
    public static IReadOnlyDictionary<string, string> OfficialWeightFiles { get; } =
        ModelZoo.All.Where(m => m.IsTorchvision).ToDictionary(m => m.Name, m => m.OfficialWeights!);

    public static IReadOnlyList<string> Names { get; } = [.. OfficialWeightFiles.Keys];

    /// <summary>Models whose pretrained weights ship with Deepscope (<see cref="ModelSpec.Bundled"/>).</summary>
    public static IReadOnlyList<string> Bundled { get; } = [.. ModelZoo.All.Where(m => m.Bundled is not null).Select(m => m.Name)];

    /// <summary>Every model that <see cref="Load"/> accepts.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Names, .. Bundled];

    /// <summary>The input normalisation the model's pretrained weights expect.</summary>
    public static InputNormalization Normalization(string name) => ModelZoo.Get(Check(name)).Normalization;

    /// <summary>The state-dict key of the final classifier's weight, whose rows are the number of classes.</summary>
    public static string HeadWeightKey(string name) => ModelZoo.Get(Check(name)).HeadName + ".weight";

    /// <summary>
    /// A freshly initialised network in eval mode (dropout off, BatchNorm on running statistics). 0 classes (for
    /// definitions that allow it, as <see cref="ImageNetResNet"/>) leaves the classifier out.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Create(string name, int numClasses = 1000)
    {
        if (numClasses < 0 || numClasses == 0 && !Bundled.Contains(name)) throw new DeepscopeException($"{name}: the number of classes must be at least 1, got {numClasses}");
        var model = ModelZoo.Get(Check(name)).Create(new ModelShape(numClasses, 3, 224));
        model.eval();
        return model;
    }

    /// <summary>
    /// The network with the weights of a checkpoint (.pth written by torch.save, .safetensors, or an ONNX export), or
    /// with its bundled weights when <paramref name="weightsPath"/> is null. The number of classes follows the
    /// checkpoint's classifier, so fine-tuned heads load too; a bundled model without a classifier is built without one.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Load(string name, string? weightsPath)
    {
        Check(name);
        if (IsOnnx(weightsPath) || weightsPath is null) return LoadOnnx(ModelZoo.Get(name), weightsPath);
        var state = StateDictFile.Read(weightsPath);
        try
        {
            int classes = state.TryGetValue(HeadWeightKey(name), out var head) && head.dim() == 2 ? (int)head.shape[0] : 1000;
            var model = CreateForLoading(name, classes);
            try { StateDictFile.Apply(model, state, weightsPath, name); }
            catch { model.Dispose(); throw; }
            return model;
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Copies pretrained weights into <paramref name="model"/> of <paramref name="spec"/>: a .pth/.safetensors state
    /// dict or an ONNX file, or the bundled weights when <paramref name="weightsPath"/> is null. Keys under
    /// <paramref name="skipPrefix"/> (a head being replaced) are left as they are.
    /// </summary>
    public static void LoadInto(nn.Module model, ModelSpec spec, string? weightsPath, string? skipPrefix = null)
    {
        if (!IsOnnx(weightsPath) && weightsPath is not null) StateDictFile.Load(model, weightsPath, spec.Name, skipPrefix);
        else
            using (var file = OnnxFile.Read(weightsPath ?? Located(spec)))
                ApplyOnnx(model, spec, file, bundled: weightsPath is null, skipPrefix);
    }

    /// <summary><see cref="Create"/> without our random initialisation, for weights about to be loaded.</summary>
    static nn.Module<Tensor, Tensor> CreateForLoading(string name, int numClasses)
    {
        using var _ = Initialization.SkippedForLoadedWeights();
        return Create(name, numClasses);
    }

    /// <summary>The name itself, or an error listing the models.</summary>
    public static string Check(string name) => All.Contains(name) ? name
        : throw new DeepscopeException($"unknown model '{name}'; models are: {string.Join(", ", All)}");

    static bool IsOnnx(string? path) => path is not null && path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    static nn.Module<Tensor, Tensor> LoadOnnx(ModelSpec spec, string? path)
    {
        using var file = OnnxFile.Read(path ?? Located(spec));
        int classes = OnnxImport.ClassifierOutputs(file);
        var model = CreateForLoading(spec.Name, classes > 0 ? classes : spec.Bundled is not null ? 0 : 1000);
        try { ApplyOnnx(model, spec, file, bundled: path is null); }
        catch { model.Dispose(); throw; }
        return model;
    }

    static void ApplyOnnx(nn.Module model, ModelSpec spec, OnnxFile file, bool bundled, string? skipPrefix = null)
    {
        var state = OnnxImport.StateDict(file, model);
        try
        {
            if (bundled) spec.Bundled!.Adapt(state);
            // A graph without a classifier leaves the model's head as initialised.
            StateDictFile.Apply(model, state, file.Path, spec.Name, skipPrefix ?? (state.ContainsKey(spec.HeadName + ".weight") ? null : spec.HeadName));
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    static string Located(ModelSpec spec) => spec.Bundled?.Locate()
        ?? throw new DeepscopeException($"{spec.Name} needs weights: give a .pth, .safetensors or .onnx file");
}
