using Deepscope.Data.Sources;
using Deepscope.Training;
using Deepscope.Training.Steps;
using static TorchSharp.torch;

namespace Deepscope.Tests.Training;

/// <summary>
/// A one-glimpse attention policy for <see cref="TinyData"/>'s 1x8x8 images: it sees the image at 2x2 resolution,
/// samples one quadrant to look at (from the step's generator), and classifies from that quadrant's 16 pixels and its
/// index; a baseline predicts the reward from the coarse view. It can only be right reliably by learning to look at
/// the bright quadrant, which is what REINFORCE teaches it.
/// </summary>
sealed class GlimpsePolicy : nn.Module, IPolicyModel
{
    readonly TorchSharp.Modules.Linear locator = nn.Linear(4, 4), classifier = nn.Linear(20, 4), baseline = nn.Linear(4, 1);

    public GlimpsePolicy() : base(nameof(GlimpsePolicy)) => RegisterComponents();

    public PolicyOutput Forward(Tensor input, Generator random)
    {
        long n = input.shape[0];
        var coarse = nn.functional.avg_pool2d(input, 4).flatten(1);
        var logProbabilities = locator.forward(coarse).log_softmax(1);
        var action = multinomial(logProbabilities.exp().detach(), 1, generator: random);
        var quadrants = input.reshape(n, 2, 4, 2, 4).permute(0, 1, 3, 2, 4).reshape(n, 4, 16);
        var glimpse = quadrants.gather(1, action.unsqueeze(2).expand(n, 1, 16)).squeeze(1);
        var where = nn.functional.one_hot(action.squeeze(1), 4).to_type(input.dtype);
        var logits = classifier.forward(cat([glimpse, where], 1));
        return new PolicyOutput(logits, logProbabilities.gather(1, action), baseline.forward(coarse.detach()));
    }

}

static class TinyModels
{
    public static ModelSet Policy(long seed)
    {
        random.manual_seed(seed);
        return new ModelSet(TrainedModel.Whole(ModelNames.Model, new GlimpsePolicy(), new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 0.02 }));
    }

    /// <summary>
    /// A pix2pix pair for 1x8x8 images: a pointwise convolutional generator and a fully connected discriminator on
    /// (input, image). No padded convolutions: on these tiny single-channel batches libtorch's CPU backward of those
    /// returned NaN gradients at random, which no resume test survives.
    /// </summary>
    public static ModelSet Pix2Pix(long seed)
    {
        random.manual_seed(seed);
        var generator = nn.Sequential(nn.Conv2d(1, 8, 1), nn.ReLU(), nn.Conv2d(8, 1, 1));
        var discriminator = nn.Sequential(nn.Flatten(), nn.Linear(128, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1));
        var adam = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 2e-3, Beta1 = 0.5 };
        return new ModelSet(TrainedModel.Whole(ModelNames.Generator, generator, adam), TrainedModel.Whole(ModelNames.Discriminator, discriminator, adam));
    }

    /// <summary>TinyData's images as floats in [0, 1] (input) and their negatives 1 - x (target): an image-to-image task.</summary>
    public static TensorSource Inverted(Examples examples)
    {
        var x = examples.Inputs.to_type(ScalarType.Float32) / 255;
        return new TensorSource(new Dictionary<string, Tensor> { [Fields.Input] = x, [Fields.Target] = 1 - x, [Fields.Label] = examples.Labels });
    }

    /// <summary>TinyData's images with a per-pixel mask: 1 on the bright quadrant, 0 elsewhere.</summary>
    public static TensorSource Segmented(Examples examples)
    {
        var mask = zeros([examples.Count, 8, 8], ScalarType.Int64);
        var labels = examples.Labels.data<long>().ToArray();
        for (int i = 0; i < labels.Length; i++)
        {
            long row = labels[i] / 2 * 4, col = labels[i] % 2 * 4;
            mask[i, TensorIndex.Slice(row, row + 4), TensorIndex.Slice(col, col + 4)] = tensor(1L);
        }
        return new TensorSource(new Dictionary<string, Tensor> { [Fields.Input] = examples.Inputs, [Fields.Mask] = mask });
    }

    /// <summary>Bit-for-bit equality of every parameter and buffer of two model sets.</summary>
    public static void AssertSame(ModelSet expected, ModelSet actual)
    {
        foreach (var (a, b) in expected.Models.Zip(actual.Models)) TinyData.AssertSameWeights(a.Module, b.Module);
    }
}

/// <summary>A step that dies at one global step, as a killed process would; otherwise the wrapped step.</summary>
sealed class KilledAt(ITrainingStep inner, long step) : ITrainingStep
{
    public sealed class Killed : Exception;

    public StepOutcome Run(StepContext context) => context.Step == step ? throw new Killed() : inner.Run(context);

    public Tensor Predict(StepContext context) => inner.Predict(context);
}
