using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Deepscope.Models.Pretrained;

/// <summary>
/// Runs a torchvision CNN module by module in torchvision's forward order and keeps the outputs of the modules the
/// caller names, flattened per sample; stops once the last of them is computed. Names are torchvision's: a ResNet
/// block's one <c>relu</c> (applied twice there) yields its last application, as a forward hook in PyTorch would.
/// </summary>
public static class LayerWalk
{
    /// <summary>The module names of <paramref name="model"/> in torchvision's spelling and order (the root excluded).</summary>
    public static IReadOnlyList<string> LayerNames(nn.Module model) => [.. NamedModules(model).Select(m => m.Name)];

    /// <summary>torchvision's <c>named_modules()</c> over the port's modules (the root excluded).</summary>
    public static IReadOnlyList<(string Name, nn.Module Module)> NamedModules(nn.Module model)
    {
        var modules = new List<(string, nn.Module)>();
        void Visit(nn.Module m, string prefix)
        {
            foreach (var (childName, child) in Children(m))
            {
                modules.Add((Join(prefix, childName), child));
                Visit(child, Join(prefix, childName));
            }
        }
        Visit(model, "");
        return modules;
    }

    /// <summary>Named children as torchvision registers them: a block's relu once, in its place; no ResNet flatten.</summary>
    static IEnumerable<(string Name, nn.Module Module)> Children(nn.Module m)
    {
        var children = m.named_children().Where(c => !IsPortOnly(m, c.name)).ToList();
        if (!IsResidualBlock(m)) return children;
        var byName = children.ToDictionary(c => c.name, c => c.module);
        string[] order = m.GetType().Name == "BasicBlock"
            ? ["conv1", "bn1", "relu", "conv2", "bn2", "downsample"]
            : ["conv1", "bn1", "conv2", "bn2", "conv3", "bn3", "relu", "downsample"];
        return order.Where(n => n == "relu" || byName.ContainsKey(n)).Select(n => (n, n == "relu" ? byName.GetValueOrDefault("relu1") ?? byName["relu"] : byName[n]));
    }

    /// <summary>Checks that every name is a module of the model; the error lists the top-level modules.</summary>
    public static void Validate(nn.Module model, string modelName, IReadOnlyCollection<string> layers)
    {
        if (layers.Count == 0) throw new DeepscopeException("no layer given: name at least one module, e.g. avgpool");
        var known = LayerNames(model).ToHashSet();
        foreach (var layer in layers)
            if (!known.Contains(layer))
                throw new DeepscopeException($"{modelName} has no layer '{layer}'; its top-level modules are " +
                    $"{string.Join(", ", LayerNames(model).Where(n => !n.Contains('.')))} (--list-layers shows all {known.Count} with their output sizes)");
    }

    /// <summary>
    /// The activations of <paramref name="layers"/> for the batch <paramref name="input"/>, each of shape (N, D) in
    /// float32, new tensors owned by the caller.
    /// </summary>
    public static Dictionary<string, Tensor> Run(nn.Module model, Tensor input, IReadOnlyCollection<string> layers)
    {
        var capture = new Capture(layers);
        using (var scope = NewDisposeScope())
        {
            Walk(model, "", input, capture);
            foreach (var t in capture.Outputs.Values) t.MoveToOuterDisposeScope();
        }
        return capture.Outputs;
    }

    sealed class Capture(IReadOnlyCollection<string> wanted)
    {
        readonly HashSet<string> _wanted = [.. wanted];
        public Dictionary<string, Tensor> Outputs { get; } = [];
        public bool Done => Outputs.Count == _wanted.Count;

        public void Offer(string name, Tensor x)
        {
            if (!_wanted.Contains(name)) return;
            // A copy: later in-place ReLUs would otherwise overwrite a captured convolution output.
            var kept = x.flatten(1).to_type(ScalarType.Float32, copy: true);
            if (Outputs.Remove(name, out var earlier)) earlier.Dispose();
            Outputs[name] = kept;
        }
    }

    /// <summary>Runs <paramref name="m"/>; inside a residual block, <paramref name="stopEarly"/> is off: the block needs whole outputs.</summary>
    static Tensor Walk(nn.Module m, string name, Tensor x, Capture capture, bool stopEarly = true)
    {
        if (IsResidualBlock(m)) x = Block(m, name, x, capture);
        else
        {
            var children = m.named_children().ToList();
            if (children.Count == 0)
            {
                // torchvision flattens between the pooled maps and the first Linear (VGG, AlexNet: before the classifier).
                if (m is Linear && x.dim() > 2) x = x.flatten(1);
                x = ((nn.Module<Tensor, Tensor>)m).call(x);
            }
            else
                foreach (var (childName, child) in children)
                {
                    x = Walk(child, Join(name, childName), x, capture, stopEarly);
                    if (stopEarly && capture.Done) return x;
                }
        }
        capture.Offer(name, x);
        return x;
    }

    /// <summary>torchvision's BasicBlock/Bottleneck forward, over the port's submodules.</summary>
    static Tensor Block(nn.Module block, string name, Tensor x, Capture capture)
    {
        var parts = block.named_children().ToDictionary(c => c.name, c => c.module);
        Tensor Step(string part, Tensor input)
        {
            var output = ((nn.Module<Tensor, Tensor>)parts[part]).call(input);
            capture.Offer(Join(name, part), output);
            return output;
        }
        Tensor Relu(Tensor input)
        {
            var output = nn.functional.relu(input);
            capture.Offer(Join(name, "relu"), output);
            return output;
        }

        var y = Relu(Step("bn1", Step("conv1", x)));
        y = Step("bn2", Step("conv2", y));
        if (parts.ContainsKey("conv3")) y = Step("bn3", Step("conv3", Relu(y)));
        var identity = parts.TryGetValue("downsample", out var downsample) ? Walk(downsample, Join(name, "downsample"), x, capture, stopEarly: false) : x;
        return Relu(y + identity);
    }

    // The port's block classes are private: recognise them by their torchvision names.
    internal static bool IsResidualBlock(nn.Module m) =>
        m is Models.BasicBlock || m.GetType().Name is "BasicBlock" or "Bottleneck" && m.GetType().DeclaringType == typeof(ResNet);

    // The ResNet port registers torch.flatten as a module; torchvision has no such module name.
    static bool IsPortOnly(nn.Module parent, string childName) => parent is ResNet && childName == "flatten";

    static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
}
