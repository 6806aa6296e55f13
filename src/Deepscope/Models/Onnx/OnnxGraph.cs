namespace Deepscope.Models.Onnx;

/// <summary>A convolution with the batch norm that follows it, if any (exporters often fold the batch norm into the convolution's bias).</summary>
public sealed record ConvUnit(OnnxNode Conv, OnnxNode? BatchNorm)
{
    /// <summary>The tensor this unit reads and the one it produces.</summary>
    public string Input => Conv.Inputs[0];
    public string Output => (BatchNorm ?? Conv).Outputs[0];
}

/// <summary>
/// Navigation over an ONNX graph's data flow: which node produces a tensor, which nodes consume it, and the
/// convolution units along a path. Errors name the file and the node that did not fit.
/// </summary>
public sealed class OnnxGraph
{
    readonly Dictionary<string, OnnxNode> _producers = [];
    readonly Dictionary<string, List<OnnxNode>> _consumers = [];

    public OnnxFile File { get; }

    public OnnxGraph(OnnxFile file)
    {
        File = file;
        foreach (var node in file.Nodes)
        {
            foreach (var output in node.Outputs) _producers[output] = node;
            foreach (var input in node.Inputs.Where(i => i.Length > 0))
                (_consumers.TryGetValue(input, out var list) ? list : _consumers[input] = []).Add(node);
        }
    }

    public OnnxNode? Producer(string tensor) => _producers.GetValueOrDefault(tensor);

    public IReadOnlyList<OnnxNode> Consumers(string tensor) => _consumers.TryGetValue(tensor, out var list) ? list : [];

    /// <summary>The graph's one image input.</summary>
    public string Input => File.Inputs is [var only] ? only
        : throw Error($"expected one image input, found {File.Inputs.Count} ({string.Join(", ", File.Inputs)})");

    /// <summary>A stored weight; torch.onnx shares equal initializers through Identity nodes, which are followed.</summary>
    public OnnxTensor Constant(OnnxNode node, int input)
    {
        string? name = input < node.Inputs.Count ? node.Inputs[input] : null;
        while (name is not null && !File.Initializers.ContainsKey(name) && Producer(name) is { OpType: "Identity" } identity) name = identity.Inputs[0];
        return name is not null && File.Initializers.TryGetValue(name, out var t) ? t
            : throw Error($"{node.Label}: input {input} is not a stored float tensor (weights computed at run time are not supported)");
    }

    public OnnxTensor? OptionalConstant(OnnxNode node, int input) =>
        input < node.Inputs.Count && node.Inputs[input].Length > 0 ? Constant(node, input) : null;

    /// <summary>The one node that consumes <paramref name="tensor"/>; an error when there are none or several.</summary>
    public OnnxNode Next(string tensor, string expected)
    {
        var consumers = Consumers(tensor);
        return consumers is [var only] ? only
            : throw Error($"expected {expected} after '{tensor}' ({Describe(Producer(tensor))}), found {(consumers.Count == 0 ? "nothing" : string.Join(", ", consumers.Select(c => c.Label)))}");
    }

    /// <summary>The convolution reading <paramref name="tensor"/> with its batch norm when one follows it alone.</summary>
    public ConvUnit ConvAt(OnnxNode conv)
    {
        if (conv.OpType != "Conv") throw Error($"expected a Conv, found {conv.Label}");
        return new ConvUnit(conv, Consumers(conv.Outputs[0]) is [{ OpType: "BatchNormalization" } bn] ? bn : null);
    }

    /// <summary>
    /// Walks back from <paramref name="tensor"/> through batch norms, convolutions and ReLUs until <paramref name="start"/>:
    /// the convolution units on the way in forward order, or null when the path meets another operator or is longer
    /// than <paramref name="maxUnits"/> units.
    /// </summary>
    public List<ConvUnit>? PathBack(string tensor, string start, int maxUnits)
    {
        var units = new List<ConvUnit>();
        while (tensor != start)
        {
            if (units.Count > maxUnits || Producer(tensor) is not { } node) return null;
            switch (node.OpType)
            {
                case "Relu": tensor = node.Inputs[0]; break;
                case "BatchNormalization" when Producer(node.Inputs[0]) is { OpType: "Conv" } conv:
                    units.Add(new ConvUnit(conv, node));
                    tensor = conv.Inputs[0];
                    break;
                case "Conv": units.Add(new ConvUnit(node, null)); tensor = node.Inputs[0]; break;
                default: return null;
            }
        }
        units.Reverse();
        return units;
    }

    public InvalidDataFileException Error(string problem) => new(File.Path, problem);

    static string Describe(OnnxNode? node) => node?.Label ?? "the graph input";
}
