using Deepscope.Data;
using Deepscope.Models;
using Deepscope.Models.Dcf;
using Deepscope.Reports;
using Deepscope.Robustness;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Studies.Robustness;

/// <summary>Robust accuracy of one variant under one attack at each eps.</summary>
public sealed record AttackCurve(string Attack, double[] Epsilons, double[] RobustAccuracy, double[] SuccessRate, double ExamplesPerSecond, string? ExamplesFigure);

/// <summary>Accuracy of one variant under band-limited noise at each L2 norm.</summary>
public sealed record NoiseCurve(string Band, double[] Norms, double[] Accuracy);

/// <summary>One trained variant: how it was trained, its clean accuracy, attack and noise curves, spectra and Lipschitz bound.</summary>
public sealed record RobustnessResult(string Variant, string Model, string Training, double CleanAccuracy, int Epochs, double TrainingSeconds,
    IReadOnlyList<AttackCurve> Attacks, IReadOnlyList<NoiseCurve> Noise, IReadOnlyList<LayerSpectrum> Spectra, double LipschitzBound);

/// <summary>
/// Robustness of networks (seed section 2.3): the same network trained plainly, adversarially (Madry et al. 2018; Wong
/// et al. 2020), as a Parseval network (Cisse et al. 2017) and with its convolutions decomposed over Fourier-Bessel
/// bases (DCFNet, Qiu et al. 2018), then attacked in pixel space (FGSM, PGD) at each eps and evaluated under Gaussian
/// noise restricted to high or (control) low spatial frequencies, testing the hypothesis that DCF networks resist
/// high-frequency noise. Each variant is one stage.
/// </summary>
public sealed class RobustnessStudy(RobustnessOptions options) : IStudy
{
    StageKey Key(string variant, StudyContext context) => new("robustness-variant", new { variant, options, context.Seed });

    public void Run(StudyContext context)
    {
        foreach (var variant in context.MyCells(options.Variants))
            context.Stage(Key(variant, context), $"{options.Dataset}: {variant}", () => Train(variant, context));
    }

    RobustnessResult Train(string variant, StudyContext context)
    {
        using var splits = TrainTestImages.Load(context, options.Dataset, options.TrainLimit, options.TestLimit);
        var (train, test) = (splits.Train, splits.Test);
        var regular = ModelZoo.Get(options.Model);
        var spec = variant switch
        {
            "dcf" => regular with
            {
                Name = DcfNetworks.Name("dcf-" + regular.Name, DcfNetworks.ParseBasisCount(options.DcfBases)),
                Create = s => DcfNetworks.Convert(regular.Create(s), DcfNetworks.ParseBasisCount(options.DcfBases)),
            },
            "plain" or "adversarial" or "parseval" => regular,
            _ => throw new DeepscopeException($"unknown robustness variant '{variant}'; use plain, adversarial, parseval or dcf"),
        };
        var defence = variant switch
        {
            "adversarial" => new DefenceOptions { Adversarial = options.AdversarialMethod, Epsilon = options.AdversarialEpsilon, Steps = options.AdversarialSteps },
            "parseval" => new DefenceOptions { ParsevalBeta = options.ParsevalBeta, ParsevalRows = options.ParsevalRows },
            _ => new DefenceOptions(),
        };
        var (fit, eval) = (Examples.From(train), Examples.From(test));
        var setup = ClassifierSetup.Build(spec, fit, train.ImageShape[1], context.Seed);
        using var model = setup.Model;
        var training = ClassifierTraining.Defaults(options.Epochs, options.BatchSize, options.LearningRate, context.Seed);
        var directory = context.Stages.ArtifactFolder(Key(variant, context), $"{options.Dataset}-{variant}");
        var outcome = setup.Fit(new Trainer(training) { Step = defence.Step(setup.Transform), OutputDirectory = directory, Resume = true, Progress = context.Progress }, fit, eval);
        RunRecord.SaveModel(directory, model);

        var pixelModel = new PixelSpaceClassifier(model, setup.Transform);
        using var allPixels = setup.Transform.ToUnitFloat(eval.Inputs);
        var (clean, _) = Evaluation.Predict(model, eval, setup.Transform, training.EvalBatchSize);
        double cleanAccuracy;
        using (clean) using (var hits = clean.eq(eval.Labels)) cleanAccuracy = hits.to_type(ScalarType.Float64).mean().item<double>();

        long attacked = Math.Min(options.AttackImages, eval.Count);
        var attacks = options.Attacks.Select(method => Sweep(method, pixelModel, allPixels.narrow(0, 0, attacked), eval.Labels.narrow(0, 0, attacked), directory, context)).ToList();
        long noisy = Math.Min(options.NoiseImages, eval.Count);
        var noise = new[] { true, false }.Select(high =>
        {
            var band = new FourierNoise(options.NoiseCutoff, high);
            return new NoiseCurve(band.Name, options.NoiseNorms, band.Accuracies(pixelModel, allPixels.narrow(0, 0, noisy), eval.Labels.narrow(0, 0, noisy), options.NoiseNorms, context.Seed));
        }).ToList();
        var spectra = LipschitzBound.Layers(model);
        return new RobustnessResult(variant, spec.Name, defence.Describe(setup.Transform), cleanAccuracy, outcome.History.Count, outcome.TrainingSeconds,
            attacks, noise, spectra, LipschitzBound.Product(spectra));
    }

    AttackCurve Sweep(string method, nn.Module<Tensor, Tensor> pixelModel, Tensor pixels, Tensor labels, string directory, StudyContext context)
    {
        var attack = new AttackOptions { Method = method, Steps = method == "pgd" ? options.PgdSteps : 0, StepSize = options.PgdStepSize };
        if (!attack.IsBudgeted) throw new DeepscopeException($"the robustness study sweeps budgeted attacks (fgsm, pgd), not '{method}'");
        var folder = Path.Combine(directory, "attack-" + method);
        Directory.CreateDirectory(folder);
        var metrics = AttackEvaluation.Run(pixelModel, attack, [.. options.Epsilons.Select(e => (double?)e)], pixels, labels, context.Seed, 256, folder,
            Path.GetFileName(directory), options.Dataset, context.Progress);
        var figure = Path.Combine(AttackEvaluation.FolderOf(folder, options.Epsilons.Max(), options.Epsilons.Length), AttackEvaluation.ExamplesFigure);
        return new AttackCurve(metrics.Sweep[^1].Attack, options.Epsilons, [.. metrics.Sweep.Select(o => o.RobustAccuracy)],
            [.. metrics.Sweep.Select(o => o.SuccessRate)], metrics.Sweep.Average(o => o.ExamplesPerSecond), figure);
    }

    public StudyReport Report(StudyContext context) => RobustnessReport.Build(options, context,
        [.. options.Variants.Select(v => context.Lookup<RobustnessResult>(Key(v, context))?.Value).OfType<RobustnessResult>()]);
}
