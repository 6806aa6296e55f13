namespace Deepscope.Training;

/// <summary>
/// The one set of defaults for training a classifier, shared by <c>deepscope train</c>, <c>deepscope finetune</c> and
/// the experiment pipeline's fine-tune stage: 10 epochs of batches of 128, a cosine schedule, and per optimizer SGD
/// with learning rate 0.1, momentum 0.9 and weight decay 5e-4 (the usual CIFAR ResNet recipe), Adam with 1e-3, AdamW
/// with 1e-3 and decoupled decay 0.01.
/// </summary>
public static class ClassifierTraining
{
    public static TrainingOptions Defaults(OptimizerKind optimizer = OptimizerKind.Sgd) => new()
    {
        Epochs = 10,
        BatchSize = 128,
        Optimizer = Optimizer(optimizer),
        Schedule = new LearningRateSchedule { Kind = ScheduleKind.Cosine },
    };

    /// <summary>The SGD defaults with a study's own epochs, batch size, learning rate and seed.</summary>
    public static TrainingOptions Defaults(int epochs, int batchSize, double learningRate, long seed)
    {
        var defaults = Defaults();
        return defaults with
        {
            Epochs = epochs, BatchSize = batchSize, Seed = seed,
            Optimizer = defaults.Optimizer with { LearningRate = learningRate },
        };
    }

    /// <summary>The default hyper-parameters of one optimizer kind.</summary>
    public static OptimizerOptions Optimizer(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Sgd => new OptimizerOptions { Kind = kind, LearningRate = 0.1, Momentum = 0.9, WeightDecay = 5e-4 },
        OptimizerKind.Adam => new OptimizerOptions { Kind = kind, LearningRate = 1e-3 },
        OptimizerKind.AdamW => new OptimizerOptions { Kind = kind, LearningRate = 1e-3, WeightDecay = 0.01 },
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
