using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>
/// What to train: the model, its trainable parameter groups (each with a learning-rate multiplier) and the
/// sub-modules that stay frozen in evaluation mode (so their batch-norm statistics do not drift).
/// </summary>
public sealed record TrainingTarget(nn.Module<Tensor, Tensor> Model, IReadOnlyList<ParameterGroup> Groups, IReadOnlyList<nn.Module> Frozen)
{
    /// <summary>Every parameter of the model, one group, nothing frozen.</summary>
    public static TrainingTarget Whole(nn.Module<Tensor, Tensor> model) =>
        new(model, [new ParameterGroup("all", model.parameters().ToList())], []);
}

/// <summary>
/// One model of a <see cref="ModelSet"/>: the module, what of it trains (parameter groups, frozen sub-modules) and
/// its own optimizer and learning-rate schedule. The module may have any forward signature; the step knows it.
/// </summary>
public sealed record TrainedModel(string Name, nn.Module Module, IReadOnlyList<ParameterGroup> Groups, IReadOnlyList<nn.Module> Frozen,
    OptimizerOptions Optimizer, LearningRateSchedule Schedule)
{
    /// <summary>Every parameter of the module in one group, nothing frozen.</summary>
    public static TrainedModel Whole(string name, nn.Module module, OptimizerOptions optimizer, LearningRateSchedule? schedule = null) =>
        new(name, module, [new ParameterGroup("all", module.parameters().ToList())], [], optimizer, schedule ?? LearningRateSchedule.Constant);

    /// <summary>Training mode for the module, evaluation mode for its frozen parts.</summary>
    public void TrainMode()
    {
        Module.train();
        foreach (var frozen in Frozen) frozen.eval();
    }
}

/// <summary>
/// The named models a step trains together (one classifier; a generator and a discriminator; a policy network), in a
/// fixed order: the order of checkpoints, and the first model is the one evaluated and reported by default.
/// </summary>
public sealed class ModelSet
{
    public ModelSet(params IReadOnlyList<TrainedModel> models)
    {
        if (models.Count == 0) throw new DeepscopeException("a model set needs at least one model");
        var duplicate = models.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new DeepscopeException($"the model set names '{duplicate.Key}' twice");
        foreach (var m in models)
            if (m.Groups.Sum(g => g.Parameters.Count) == 0) throw new DeepscopeException($"nothing to train in model '{m.Name}': no trainable parameters");
        Models = models;
    }

    public IReadOnlyList<TrainedModel> Models { get; }

    public TrainedModel First => Models[0];

    public TrainedModel this[string name] => Models.FirstOrDefault(m => m.Name == name)
        ?? throw new DeepscopeException($"the model set has no model '{name}' (it has: {string.Join(", ", Models.Select(m => m.Name))})");

    /// <summary>A classifier trained with the run's optimizer and schedule, as <see cref="Trainer.Fit(TrainingTarget, Examples, Examples?, InputTransform?)"/> does.</summary>
    public static ModelSet Classifier(TrainingTarget target, TrainingOptions options) =>
        new(new TrainedModel(ModelNames.Model, target.Model, target.Groups, target.Frozen, options.Optimizer, options.Schedule));
}

/// <summary>The model names the built-in steps look for.</summary>
public static class ModelNames
{
    public const string Model = "model";
    public const string Generator = "generator";
    public const string Discriminator = "discriminator";
}
