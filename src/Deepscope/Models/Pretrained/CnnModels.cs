using TorchSharp;
using static TorchSharp.torch;

namespace Deepscope.Models.Pretrained;

/// <summary>
/// The torchvision classification networks Deepscope can load pretrained weights into. The modules are TorchSharp's
/// TorchVision ports, whose state-dict keys and shapes equal torchvision's; <see cref="LayerWalk"/> supplies
/// torchvision's module names and forward order where the port differs (block ReLUs, the ResNet flatten module).
/// </summary>
public static class CnnModels
{
    /// <summary>Model names, as torchvision spells them, with the official ImageNet weight file of each (from <see cref="ModelZoo"/>).</summary>
    public static IReadOnlyDictionary<string, string> OfficialWeightFiles { get; } =
        ModelZoo.All.Where(m => m.IsTorchvision).ToDictionary(m => m.Name, m => m.OfficialWeights!);

    public static IReadOnlyList<string> Names { get; } = [.. OfficialWeightFiles.Keys];

    /// <summary>The state-dict key of the final classifier's weight, whose rows are the number of classes.</summary>
    public static string HeadWeightKey(string name) => ModelZoo.Get(Check(name)).HeadName + ".weight";

    /// <summary>A freshly initialised network in eval mode (dropout off, BatchNorm on running statistics).</summary>
    public static nn.Module<Tensor, Tensor> Create(string name, int numClasses = 1000)
    {
        if (numClasses < 1) throw new DeepscopeException($"{name}: the number of classes must be at least 1, got {numClasses}");
        var model = ModelZoo.Get(Check(name)).Create(new ModelShape(numClasses, 3, 224));
        model.eval();
        return model;
    }

    /// <summary>
    /// The network with the weights of a checkpoint (.pth written by torch.save, or .safetensors). The number of
    /// classes follows the checkpoint's classifier, so fine-tuned heads load too.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Load(string name, string weightsPath)
    {
        Check(name);
        var state = StateDictFile.Read(weightsPath);
        try
        {
            int classes = state.TryGetValue(HeadWeightKey(name), out var head) && head.dim() == 2 ? (int)head.shape[0] : 1000;
            var model = Create(name, classes);
            try { StateDictFile.Apply(model, state, weightsPath, name); }
            catch { model.Dispose(); throw; }
            return model;
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>The name itself, or an error listing the models.</summary>
    public static string Check(string name) => OfficialWeightFiles.ContainsKey(name) ? name
        : throw new DeepscopeException($"unknown model '{name}'; models are: {string.Join(", ", Names)}");
}
