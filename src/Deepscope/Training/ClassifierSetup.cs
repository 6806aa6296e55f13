using Deepscope.Models;
using Deepscope.Models.Pretrained;
using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>
/// A classifier made ready to train on a dataset: its architecture, the input transform, the model (pretrained weights
/// loaded with the head left new) and what to train. Shared by <c>deepscope train</c>, <c>deepscope finetune</c> and the
/// fine-tuning stage of <c>deepscope run</c>, so all three build and train models the same way.
/// </summary>
public sealed record ClassifierSetup(ModelSpec Spec, InputTransform Transform, nn.Module<Tensor, Tensor> Model, TrainingTarget Target,
    FineTuneOptions? FineTune)
{
    /// <summary>
    /// Builds the model for <paramref name="fit"/>'s classes. Pretrained ImageNet weights get the normalisation they
    /// were trained with (torchvision's statistics, or a bundled model's channel means); otherwise the training set's own
    /// statistics. A model with bundled weights starts from them when fine-tuned without a weights file. Without
    /// <paramref name="fineTune"/> every parameter is trained.
    /// </summary>
    public static ClassifierSetup Build(ModelSpec spec, Examples fit, long imageSize, long seed, FineTuneOptions? fineTune = null, string? weights = null)
    {
        fineTune?.Validate();
        if (weights is not null && !File.Exists(weights)) throw new DeepscopeException($"weights file not found: {weights}");
        bool pretrained = weights is not null || fineTune is not null && spec.Bundled is not null;
        var transform = spec.Input is { } fixedInput ? fixedInput
            : spec.IsImageNet && pretrained
            ? new InputTransform(spec.Normalization.Mean, spec.Normalization.Std, 3, imageSize)
            : InputTransform.FromData(fit.Inputs, spec.Channels, imageSize);
        random.manual_seed(seed);
        var model = spec.Create(new ModelShape(fit.Classes.Count, transform.Channels, transform.ImageSize));
        if (pretrained) CnnModels.LoadInto(model, spec, weights, skipPrefix: spec.HeadName);
        var target = fineTune is null ? TrainingTarget.Whole(model) : FineTuning.Prepare(model, spec.HeadName, fineTune);
        return new ClassifierSetup(spec, transform, model, target, fineTune);
    }

    /// <summary>
    /// Trains with <paramref name="trainer"/>, evaluating on <paramref name="eval"/> after each epoch. A linear probe with
    /// cached features trains the head on the body's features computed once, then installs it in the model.
    /// </summary>
    public TrainingResult Fit(Trainer trainer, Examples train, Examples eval)
    {
        if (FineTune is not { Mode: FineTuneMode.LinearProbe, CacheFeatures: true }) return trainer.Fit(Target, train, eval, Transform);
        if (!trainer.Options.Augmentation.IsNone)
            throw new DeepscopeException("cached features compute each image's features once, so they cannot be combined with augmentation");
        using var trainFeatures = FineTuning.CacheFeatures(Model, Spec, train, Transform, progress: trainer.Progress);
        using var evalFeatures = FineTuning.CacheFeatures(Model, Spec, eval, Transform, progress: trainer.Progress);
        using var head = nn.Linear(trainFeatures.shape[1], train.Classes.Count);
        var result = trainer.Fit(TrainingTarget.Whole(head), train with { Inputs = trainFeatures }, eval with { Inputs = evalFeatures });
        FineTuning.InstallHead(Model, Spec.HeadName, head);
        return result;
    }
}
