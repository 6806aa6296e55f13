using Deepscope.Data.Sources;
using Deepscope.Training;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Anomaly;

/// <summary>
/// A small convolutional autoencoder for grey images whose side is a multiple of 8: three stride-2 convolutions
/// (16, 32, 64 channels) down to a 1/8-size code, three transposed convolutions back, a sigmoid output in [0, 1].
/// </summary>
public sealed class ConvAutoencoder : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> encoder, decoder;

    public ConvAutoencoder(long channels = 1) : base(nameof(ConvAutoencoder))
    {
        encoder = Sequential(
            Conv2d(channels, 16, 3, stride: 2, padding: 1), ReLU(),
            Conv2d(16, 32, 3, stride: 2, padding: 1), ReLU(),
            Conv2d(32, 64, 3, stride: 2, padding: 1), ReLU());
        decoder = Sequential(
            ConvTranspose2d(64, 32, 4, stride: 2, padding: 1), ReLU(),
            ConvTranspose2d(32, 16, 4, stride: 2, padding: 1), ReLU(),
            ConvTranspose2d(16, channels, 4, stride: 2, padding: 1), Sigmoid());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => decoder.call(encoder.call(x));
}

/// <summary>
/// The reconstruction outlier score: an autoencoder trained (mean squared error) on normal images only; an image's
/// score is the largest mean squared error over <see cref="Window"/> x <see cref="Window"/> windows, so a small defect
/// the autoencoder cannot reproduce stands out instead of being averaged away over the whole image.
/// </summary>
public sealed class ReconstructionScorer : IOutlierScorer
{
    public const int Window = 4;
    readonly ConvAutoencoder _model;

    ReconstructionScorer(ConvAutoencoder model) => _model = model;

    /// <summary>Trains on the normal images of <paramref name="normal"/> (float (C, H, W) in [0, 1], H and W multiples of 8).</summary>
    public static ReconstructionScorer Fit(IDataSource normal, int epochs, long seed, IProgressReporter? progress = null, string? folder = null)
    {
        var shape = normal.Fields.First(f => f.Name == Fields.Input).Shape;
        if (shape.Length != 3 || shape[1] % 8 != 0 || shape[2] % 8 != 0)
            throw new DeepscopeException($"the autoencoder needs images (C, H, W) with H and W multiples of 8, got ({string.Join(", ", shape)})");
        random.manual_seed(seed);
        var model = new ConvAutoencoder(shape[0]);
        var options = new TrainingOptions { Epochs = epochs, BatchSize = 32, Seed = seed, DropLast = true,
            Optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 2e-3 },
            Schedule = new LearningRateSchedule { Kind = ScheduleKind.Cosine } };
        var models = new ModelSet(TrainedModel.Whole(ModelNames.Model, model, options.Optimizer, options.Schedule));
        new Trainer(options)
        {
            Step = new SupervisedStep(Losses.MeanSquaredError, Fields.Target),
            Metrics = [],
            OutputDirectory = folder,
            Resume = folder is not null && File.Exists(Path.Combine(folder, Trainer.CheckpointFile)),
            Progress = progress ?? NoProgress.Instance,
        }.Fit(models, new SelfTargetSource(normal));
        model.eval();
        return new ReconstructionScorer(model);
    }

    /// <summary>Scores images (N, C, H, W) float in [0, 1].</summary>
    public double[] Score(Tensor x)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var error = (_model.call(x) - x).square().mean([1], keepdim: true);
        return functional.avg_pool2d(error, Window).flatten(1).amax([1]).to_type(ScalarType.Float64).data<double>().ToArray();
    }

    public void Dispose() => _model.Dispose();

    /// <summary>The source's images as both input and target: what the autoencoder learns to reproduce.</summary>
    sealed class SelfTargetSource(IDataSource source) : IDataSource
    {
        public long Count => source.Count;
        public IReadOnlyList<FieldSpec> Fields => [source.Fields.First(f => f.Name == Data.Sources.Fields.Input) with { Name = Data.Sources.Fields.Target }, .. source.Fields];
        public IReadOnlyList<string> Classes => source.Classes;

        public Batch Read(ReadOnlySpan<long> indices, int epoch)
        {
            using var batch = source.Read(indices, epoch);
            var input = batch[Data.Sources.Fields.Input];
            return new Batch(new Dictionary<string, Tensor> { [Data.Sources.Fields.Input] = input.alias(), [Data.Sources.Fields.Target] = input.alias() });
        }
    }
}
