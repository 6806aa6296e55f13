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
    /// <summary>Model names, as torchvision spells them, with the official ImageNet weight file of each.</summary>
    public static IReadOnlyDictionary<string, string> OfficialWeightFiles { get; } = new Dictionary<string, string>
    {
        ["resnet18"] = "resnet18-f37072fd.pth", ["resnet34"] = "resnet34-b627a593.pth", ["resnet50"] = "resnet50-0676ba61.pth",
        ["vgg11"] = "vgg11-8a719046.pth", ["vgg11_bn"] = "vgg11_bn-6002323d.pth",
        ["vgg13"] = "vgg13-19584684.pth", ["vgg13_bn"] = "vgg13_bn-abd245e5.pth",
        ["vgg16"] = "vgg16-397923af.pth", ["vgg16_bn"] = "vgg16_bn-6c64b313.pth",
        ["vgg19"] = "vgg19-dcbb9e9d.pth", ["vgg19_bn"] = "vgg19_bn-c79401a0.pth",
        ["alexnet"] = "alexnet-owt-7be5be79.pth",
    };

    public static IReadOnlyList<string> Names { get; } = [.. OfficialWeightFiles.Keys];

    /// <summary>The state-dict key of the final classifier's weight, whose rows are the number of classes.</summary>
    public static string HeadWeightKey(string name) => Check(name).StartsWith("resnet", StringComparison.Ordinal) ? "fc.weight" : "classifier.6.weight";

    /// <summary>A freshly initialised network in eval mode (dropout off, BatchNorm on running statistics).</summary>
    public static nn.Module<Tensor, Tensor> Create(string name, int numClasses = 1000)
    {
        if (numClasses < 1) throw new DeepscopeException($"{name}: the number of classes must be at least 1, got {numClasses}");
        nn.Module<Tensor, Tensor> model = Check(name) switch
        {
            "resnet18" => torchvision.models.resnet18(numClasses),
            "resnet34" => torchvision.models.resnet34(numClasses),
            "resnet50" => torchvision.models.resnet50(numClasses),
            "vgg11" => torchvision.models.vgg11(numClasses),
            "vgg11_bn" => torchvision.models.vgg11_bn(numClasses),
            "vgg13" => torchvision.models.vgg13(numClasses),
            "vgg13_bn" => torchvision.models.vgg13_bn(numClasses),
            "vgg16" => torchvision.models.vgg16(numClasses),
            "vgg16_bn" => torchvision.models.vgg16_bn(numClasses),
            "vgg19" => torchvision.models.vgg19(numClasses),
            "vgg19_bn" => torchvision.models.vgg19_bn(numClasses),
            _ => torchvision.models.alexnet(numClasses),
        };
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
