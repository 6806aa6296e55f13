using Deepscope.Data.Sources;
using static TorchSharp.torch;

namespace Deepscope.Training.Steps;

/// <summary>
/// A GAN step (Goodfellow et al. 2014): two models with their own optimizers, the discriminator updated first on real
/// and generated examples (binary cross-entropy on its logits, real 1, fake 0), then the generator to make the
/// discriminator call its output real (the non-saturating loss). Unconditional with a positive
/// <see cref="LatentSize"/>: the generator maps standard normal latents (N, LatentSize), drawn from the step's generator,
/// to examples like the batch's <c>input</c>. Conditional (pix2pix, Isola et al. 2017) with <see cref="LatentSize"/> 0:
/// the generator maps <c>input</c> to an image like <c>target</c>, the discriminator sees input and image
/// concatenated on the channel axis, and <see cref="L1Weight"/> (pix2pix: 100) adds the L1 distance to the target to
/// the generator's loss. The step's loss is the generator's; the discriminator's is logged as
/// <c>train_discriminator_loss</c>.
/// </summary>
public sealed record GanStep(long LatentSize = 0, double L1Weight = 0, string Generator = ModelNames.Generator, string Discriminator = ModelNames.Discriminator)
    : ITrainingStep
{
    bool Conditional => LatentSize == 0;

    public StepOutcome Run(StepContext context)
    {
        if (LatentSize < 0 || L1Weight < 0) throw new DeepscopeException($"GAN step needs latent size >= 0 and L1 weight >= 0, got {LatentSize}, {L1Weight}");
        if (!Conditional && L1Weight > 0) throw new DeepscopeException("the L1 term needs a conditional GAN (latent size 0: the generator maps input to target)");
        var generator = context.Module<nn.Module<Tensor, Tensor>>(Generator);
        var discriminator = context.Module<nn.Module<Tensor, Tensor>>(Discriminator);
        var real = Conditional ? context.Batch[Fields.Target] : context.Inputs;

        Tensor fake;
        using (context.MixedPrecision()) fake = generator.forward(GeneratorInput(context));

        var optimizerD = context.OptimizerOf(Discriminator);
        optimizerD.ClearGradients();
        Tensor lossD;
        using (context.MixedPrecision())
            lossD = Bce(discriminator.forward(Pair(context, real)), 1) + Bce(discriminator.forward(Pair(context, fake.detach())), 0);
        lossD.backward();
        context.ClipGradients(Discriminator);
        optimizerD.step();

        var optimizerG = context.OptimizerOf(Generator);
        optimizerG.ClearGradients();
        Tensor lossG;
        using (context.MixedPrecision())
        {
            lossG = Bce(discriminator.forward(Pair(context, fake)), 1);
            if (L1Weight > 0) lossG = lossG + L1Weight * nn.functional.l1_loss(fake, real);
        }
        lossG.backward();
        context.ClipGradients(Generator);
        optimizerG.step();
        return new StepOutcome(lossG.item<float>(), null, real.shape[0])
        {
            Scalars = new Dictionary<string, double> { ["discriminator_loss"] = lossD.item<float>() },
        };
    }

    /// <summary>The generator's output: the image for the batch's input (conditional), or samples for fresh latents.</summary>
    public Tensor Predict(StepContext context) => context.Module<nn.Module<Tensor, Tensor>>(Generator).forward(GeneratorInput(context));

    Tensor GeneratorInput(StepContext context) =>
        Conditional ? context.Inputs : randn([context.Batch.Count, LatentSize], generator: context.Random);

    Tensor Pair(StepContext context, Tensor image) => Conditional ? cat([context.Inputs, image], 1) : image;

    static Tensor Bce(Tensor logits, float label) =>
        nn.functional.binary_cross_entropy_with_logits(logits, full_like(logits, label));
}
