using Deepscope.Models.Pretrained;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Deepscope.Models.Onnx;

/// <summary>
/// Maps an ONNX model's weights onto one of our definitions by the graph's structure, giving a state dict with the
/// definition's (torchvision's) keys. ResNets: each residual Add is traced back through batch norms, convolutions and
/// ReLUs to the previous block's output, which splits it into the main branch and the shortcut; blocks follow the data
/// flow from the stem. Chains (VGG, AlexNet): the convolutions and linear layers met walking forward from the input.
/// Folded batch norms (a convolution with a bias and no BatchNormalization, as torch.onnx exports in eval mode) become
/// a batch norm holding the bias; other epsilons are absorbed into the running variance. Nothing is matched by node
/// order or by shape, since several convolutions share shapes.
/// </summary>
public static class OnnxImport
{
    // Our BatchNorm2d modules use PyTorch's default epsilon.
    const float ModelEpsilon = 1e-5f;

    /// <summary>The state dict of <paramref name="model"/> held by the ONNX file; the classifier is absent when the graph has none.</summary>
    public static Dictionary<string, Tensor> StateDict(OnnxFile file, nn.Module model)
    {
        var graph = new OnnxGraph(file);
        var targetKeys = model.state_dict().Keys.ToHashSet();
        var state = new Dictionary<string, Tensor>();
        try
        {
            var modules = LayerWalk.NamedModules(model);
            var blocks = modules.Where(m => LayerWalk.IsResidualBlock(m.Module)).Select(m => m.Name).ToList();
            if (blocks.Count > 0) MapResNet(graph, blocks, modules, targetKeys, state);
            else MapChain(graph, modules, targetKeys, state);
            return state;
        }
        catch
        {
            foreach (var t in state.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>Rows of the graph's classifier (its last Gemm/MatMul weight), or 0 when the graph ends without one.</summary>
    public static int ClassifierOutputs(OnnxFile file)
    {
        var graph = new OnnxGraph(file);
        var last = file.Nodes.LastOrDefault(n => n.OpType is "Gemm" or "MatMul");
        if (last is null) return 0;
        var weight = graph.Constant(last, 1);
        bool transposed = last.OpType == "Gemm" && last.Int("transB", 0) == 1;
        return (int)(transposed ? weight.Dims[0] : weight.Dims[^1]);
    }

    static void MapResNet(OnnxGraph graph, List<string> blocks, IReadOnlyList<(string Name, nn.Module Module)> modules,
        HashSet<string> keys, Dictionary<string, Tensor> state)
    {
        // Stem: Conv (+ BatchNormalization) -> Relu -> MaxPool.
        var stem = graph.ConvAt(graph.Next(graph.Input, "the stem's Conv"));
        AddConv(graph, stem, "conv1", "bn1", keys, state);
        var relu = Expect(graph, graph.Next(stem.Output, "the stem's Relu"), "Relu");
        var pool = Expect(graph, graph.Next(relu.Outputs[0], "the stem's MaxPool"), "MaxPool");
        string current = pool.Outputs[0];

        var adds = graph.File.Nodes.Where(n => n.OpType == "Add" && n.Inputs.Count == 2).ToHashSet();
        foreach (var block in blocks)
        {
            var module = modules.First(m => m.Name == block).Module;
            int mainConvs = module.named_children().Count(c => c.name.StartsWith("conv", StringComparison.Ordinal));
            bool hasShortcutConv = module.named_children().Any(c => c.name == "downsample");
            var (add, main, shortcut) = FindBlock(graph, adds, current, mainConvs + 1)
                ?? throw graph.Error($"no residual Add found for {block}: none traces back through Conv/BatchNormalization/Relu to '{current}' ({graph.Producer(current)?.Label})");
            adds.Remove(add);
            if (main.Count != mainConvs || shortcut.Count != (hasShortcutConv ? 1 : 0))
                throw graph.Error($"{add.Label} is a residual block of {main.Count} convolutions with {(shortcut.Count == 0 ? "an identity shortcut" : $"{shortcut.Count} on the shortcut")}, " +
                    $"but {block} has {mainConvs} with {(hasShortcutConv ? "a downsampling convolution" : "an identity shortcut")}: the block counts or kinds differ");
            for (int i = 0; i < main.Count; i++) AddConv(graph, main[i], $"{block}.conv{i + 1}", $"{block}.bn{i + 1}", keys, state);
            if (hasShortcutConv) AddConv(graph, shortcut[0], $"{block}.downsample.0", $"{block}.downsample.1", keys, state);
            current = Expect(graph, graph.Next(add.Outputs[0], "the block's Relu"), "Relu").Outputs[0];
        }
        if (adds.Count > 0)
            throw graph.Error($"{adds.First().Label} is a residual block beyond the model's {blocks.Count} blocks: choose a definition with more blocks");
        AddLinears(graph, graph.File.Nodes.Where(n => n.OpType is "Gemm" or "MatMul").ToList(),
            modules.Where(m => m.Module is Linear).Select(m => m.Name).ToList(), keys, state);
    }

    /// <summary>The Add whose two inputs both lead back to <paramref name="start"/>, with the longer path as the main branch.</summary>
    static (OnnxNode Add, List<ConvUnit> Main, List<ConvUnit> Shortcut)? FindBlock(OnnxGraph graph, HashSet<OnnxNode> adds, string start, int maxUnits)
    {
        foreach (var add in adds)
        {
            var a = graph.PathBack(add.Inputs[0], start, maxUnits);
            var b = graph.PathBack(add.Inputs[1], start, maxUnits);
            if (a is null || b is null) continue;
            return a.Count >= b.Count ? (add, a, b) : (add, b, a);
        }
        return null;
    }

    static void MapChain(OnnxGraph graph, IReadOnlyList<(string Name, nn.Module Module)> modules, HashSet<string> keys, Dictionary<string, Tensor> state)
    {
        var convs = new List<ConvUnit>();
        var linears = new List<OnnxNode>();
        string current = graph.Input;
        for (var seen = new HashSet<string>(); seen.Add(current) && graph.Consumers(current).Count > 0;)
        {
            var node = graph.Next(current, "a chain of layers (a network without branches)");
            if (node.OpType == "Conv")
            {
                var unit = graph.ConvAt(node);
                convs.Add(unit);
                current = unit.Output;
                continue;
            }
            if (node.OpType is "Gemm" or "MatMul") linears.Add(node);
            current = node.Outputs[0];
        }
        var convModules = modules.Select((m, i) => (m.Name, m.Module, Index: i)).Where(m => m.Module is Conv2d).ToList();
        if (convs.Count != convModules.Count)
            throw graph.Error($"the graph's chain has {convs.Count} convolutions but the model {convModules.Count}");
        for (int i = 0; i < convs.Count; i++)
        {
            var (name, _, index) = convModules[i];
            string? bn = index + 1 < modules.Count && modules[index + 1].Module is BatchNorm2d ? modules[index + 1].Name : null;
            AddConv(graph, convs[i], name, bn, keys, state);
        }
        AddLinears(graph, linears, modules.Where(m => m.Module is Linear).Select(m => m.Name).ToList(), keys, state);
    }

    static void AddLinears(OnnxGraph graph, List<OnnxNode> nodes, List<string> names, HashSet<string> keys, Dictionary<string, Tensor> state)
    {
        // A graph without a classifier (a feature extractor) loads into a definition without one, or leaves its head new.
        if (nodes.Count == 0) return;
        if (nodes.Count != names.Count)
            throw graph.Error($"the graph has {nodes.Count} linear layers ({string.Join(", ", nodes.Select(n => n.Label))}) but the model {names.Count}");
        for (int i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var w = graph.Constant(node, 1);
            // Gemm with transB=1 stores (out, in) as torch.nn.Linear does; MatMul and transB=0 store (in, out).
            bool outByIn = node.OpType == "Gemm" && node.Int("transB", 0) == 1;
            using (var stored = w.ToTensor())
                state[$"{names[i]}.weight"] = outByIn ? stored.clone() : stored.t().contiguous();
            var bias = node.OpType == "Gemm" ? graph.OptionalConstant(node, 2)
                : graph.Consumers(node.Outputs[0]) is [{ OpType: "Add" } add] ? graph.Constant(add, 1) : null;
            if (keys.Contains($"{names[i]}.bias"))
                state[$"{names[i]}.bias"] = bias is null ? zeros(state[$"{names[i]}.weight"].shape[0]) : bias.ToTensor();
        }
    }

    /// <summary>A convolution unit as the state of a Conv2d (+ BatchNorm2d) pair of the model.</summary>
    static void AddConv(OnnxGraph graph, ConvUnit unit, string conv, string? bn, HashSet<string> keys, Dictionary<string, Tensor> state)
    {
        var node = unit.Conv;
        if (node.Int("group", 1) != 1 || node.Ints("dilations", [1, 1]).Any(d => d != 1))
            throw graph.Error($"{node.Label}: grouped or dilated convolutions do not fit {conv}");
        var w = graph.Constant(node, 1);
        state[$"{conv}.weight"] = w.ToTensor();
        var convBias = graph.OptionalConstant(node, 2);
        bool modelHasBias = keys.Contains($"{conv}.bias");
        if (modelHasBias) state[$"{conv}.bias"] = convBias is null ? zeros(w.Dims[0]) : convBias.ToTensor();
        if (bn is null)
        {
            if (unit.BatchNorm is { } extra) throw graph.Error($"{extra.Label} follows {node.Label}, but {conv} has no batch norm after it");
            return;
        }
        // The bias goes into the batch norm when the model's convolution has none: bn(conv(x) + b) has mean - b.
        var shift = convBias is null || modelHasBias ? zeros(w.Dims[0]) : convBias.ToTensor();
        if (unit.BatchNorm is { } norm)
        {
            float epsilon = norm.Float("epsilon", 1e-5f);
            state[$"{bn}.weight"] = graph.Constant(norm, 1).ToTensor();
            state[$"{bn}.bias"] = graph.Constant(norm, 2).ToTensor();
            state[$"{bn}.running_mean"] = graph.Constant(norm, 3).ToTensor().sub_(shift);
            state[$"{bn}.running_var"] = graph.Constant(norm, 4).ToTensor().add_(epsilon - ModelEpsilon);
            shift.Dispose();
        }
        else
        {
            // A folded batch norm: identity scaling (var + eps = 1) and the convolution's bias as the shift.
            state[$"{bn}.weight"] = ones(w.Dims[0]);
            state[$"{bn}.bias"] = zeros(w.Dims[0]);
            state[$"{bn}.running_mean"] = shift.neg_();
            state[$"{bn}.running_var"] = full(w.Dims[0], 1f - ModelEpsilon);
        }
    }

    static OnnxNode Expect(OnnxGraph graph, OnnxNode node, string opType) =>
        node.OpType == opType ? node : throw graph.Error($"expected {opType}, found {node.Label}");
}
