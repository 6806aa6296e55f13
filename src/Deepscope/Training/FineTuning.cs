using Deepscope.Models;
using static TorchSharp.torch;

namespace Deepscope.Training;

public enum FineTuneMode { LinearProbe, LastLayers, Full }

/// <summary>
/// How to fine-tune a classifier whose head has been replaced: <see cref="FineTuneMode.LinearProbe"/> trains the head
/// only (optionally on features computed once, <see cref="CacheFeatures"/>); <see cref="FineTuneMode.LastLayers"/> trains
/// the last <see cref="LastLayers"/> blocks counting the head (for ResNets: fc, layer4, layer3, ...);
/// <see cref="FineTuneMode.Full"/> trains everything, the body at <see cref="BodyLearningRateFactor"/> times the rate.
/// </summary>
public sealed record FineTuneOptions(FineTuneMode Mode, int LastLayers = 2, double BodyLearningRateFactor = 0.1, bool CacheFeatures = false)
{
    public void Validate()
    {
        if (Mode == FineTuneMode.LastLayers && LastLayers < 1) throw new DeepscopeException($"--last-layers must be at least 1, got {LastLayers}");
        if (BodyLearningRateFactor is <= 0 or > 1) throw new DeepscopeException($"body learning-rate factor must be in (0, 1], got {BodyLearningRateFactor}");
        if (CacheFeatures && Mode != FineTuneMode.LinearProbe) throw new DeepscopeException("cached features only apply to --mode linear-probe");
    }
}

public static class FineTuning
{
    /// <summary>Freezes what the mode keeps fixed and returns the parameter groups to train.</summary>
    public static TrainingTarget Prepare(nn.Module<Tensor, Tensor> model, string headName, FineTuneOptions options)
    {
        options.Validate();
        var blocks = Blocks(model, headName);
        var withParameters = blocks.Where(b => b.Module.parameters().Any()).ToList();
        if (withParameters.Count == 0 || withParameters[^1].Name != headName)
            throw new DeepscopeException($"model's last layer is not '{headName}': cannot fine-tune it as the classifier head");
        int trainable = options.Mode switch
        {
            FineTuneMode.LinearProbe => 1,
            FineTuneMode.LastLayers => Math.Min(options.LastLayers, withParameters.Count),
            _ => withParameters.Count,
        };
        // Blocks before the first trained one are frozen, parameter-free ones (dropout) included, so they run in eval mode.
        int firstTrained = blocks.IndexOf(withParameters[^trainable]);
        var frozen = new List<nn.Module>();
        var head = new List<TorchSharp.Modules.Parameter>();
        var body = new List<TorchSharp.Modules.Parameter>();
        for (int i = 0; i < blocks.Count; i++)
        {
            bool train = i >= firstTrained;
            foreach (var p in blocks[i].Module.parameters())
            {
                p.requires_grad = train;
                if (train) (blocks[i].Name == headName ? head : body).Add(p);
            }
            if (!train) frozen.Add(blocks[i].Module);
        }
        var groups = new List<ParameterGroup> { new("head", head) };
        if (body.Count > 0) groups.Add(new ParameterGroup("body", body, options.Mode == FineTuneMode.Full ? options.BodyLearningRateFactor : 1));
        return new TrainingTarget(model, groups, frozen);
    }

    /// <summary>
    /// The model's blocks in registration (forward) order: its top-level children, except that the child holding the
    /// head (e.g. torchvision VGG's "classifier" for "classifier.6") is split into its own children.
    /// </summary>
    static List<(string Name, nn.Module Module)> Blocks(nn.Module model, string headName)
    {
        var blocks = new List<(string, nn.Module)>();
        void Collect(nn.Module parent, string prefix)
        {
            foreach (var (name, child) in parent.named_children())
            {
                var full = prefix + name;
                if (headName.StartsWith(full + ".", StringComparison.Ordinal)) Collect(child, full + ".");
                else blocks.Add((full, child));
            }
        }
        Collect(model, "");
        return blocks;
    }

    /// <summary>
    /// The input of the classifier head for each example (N, features), computed once in evaluation mode: the linear probe
    /// then trains on these instead of running the frozen body every epoch.
    /// </summary>
    public static Tensor CacheFeatures(nn.Module<Tensor, Tensor> model, ModelSpec spec, Examples examples, InputTransform transform,
        int batchSize = 256, IProgressReporter? progress = null)
    {
        var (forward, release) = FeatureFunction(model, spec);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var task = (progress ?? NoProgress.Instance).Start("features", examples.Count, "img");
            Tensor? all = null;
            for (long start = 0; start < examples.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long n = Math.Min(batchSize, examples.Count - start);
                var f = forward(transform.Apply(examples.Inputs.narrow(0, start, n))).Features;
                all ??= empty([examples.Count, f.shape[1]], ScalarType.Float32).MoveToOuterDisposeScope();
                all.narrow(0, start, n).copy_(f);
                task.Advance(n);
            }
            return all!;
        }
        finally
        {
            model.train(wasTraining);
            release?.Invoke();
        }
    }

    /// <summary>
    /// One forward pass in evaluation mode giving the input of the model's head (N, D) and the model's output: a
    /// <see cref="IClassifierWithHead"/> runs its body then its head; other models (torchvision's) run whole while a
    /// forward pre-hook keeps what enters the head. Call Release when done (it removes the hook).
    /// </summary>
    internal static (Func<Tensor, (Tensor Features, Tensor Output)> Forward, Action? Release) FeatureFunction(nn.Module<Tensor, Tensor> model, ModelSpec spec)
    {
        var head = model.named_modules().Where(m => m.name == spec.HeadName).Select(m => m.module).OfType<nn.Module<Tensor, Tensor>>().FirstOrDefault();
        // In evaluation mode head(Features(x)) is the model's output (dropout before the head is the identity); a model
        // built without its head (resnet18-cntk at 0 classes) outputs its features.
        if (model is IClassifierWithHead withHead) return (x => { var f = withHead.Features(x); return (f, head is null ? f.alias() : head.call(f)); }, null);
        if (head is null) throw new DeepscopeException($"{spec.Name} has no layer '{spec.HeadName}' to take features from");
        Tensor? caught = null;
        // The alias leaves the model's own dispose scope, which would free it when forward returns.
        var hook = head.register_forward_pre_hook((_, input) => { caught = input.alias().DetachFromDisposeScope(); return input; });
        return (x =>
        {
            caught = null;
            var output = model.call(x);
            using var features = caught ?? throw new InvalidOperationException($"{spec.Name}'s forward did not call its '{spec.HeadName}' layer through its hooks");
            return (features.flatten(1), output);
        }, hook.remove);
    }

    /// <summary>Copies a trained linear head (weight, bias) into the model's head layer.</summary>
    public static void InstallHead(nn.Module model, string headName, nn.Module head)
    {
        var target = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var _ = no_grad();
        foreach (var (name, p) in head.named_parameters())
        {
            if (!target.TryGetValue($"{headName}.{name}", out var destination) || !destination.shape.SequenceEqual(p.shape))
                throw new DeepscopeException($"model head '{headName}' has no parameter '{name}' of shape ({string.Join(", ", p.shape)})");
            destination.copy_(p);
        }
    }
}
