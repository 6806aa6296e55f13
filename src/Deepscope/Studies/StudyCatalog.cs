using Deepscope.Catalogs;
using Deepscope.Studies.Authentication;
using Deepscope.Studies.Attention;
using Deepscope.Studies.EmoContext;
using Deepscope.Studies.ClassicalDenoising;
using Deepscope.Studies.DeepDenoising;
using Deepscope.Studies.FeatureComparison;
using Deepscope.Studies.Inspection;
using Deepscope.Studies.Generalization;
using Deepscope.Studies.Glass;

namespace Deepscope.Studies;

/// <summary>
/// The research studies by the name an experiment file gives in <c>study:</c>. Each is one folder under Studies/ and
/// one line here: its options record (the defaults) and the factory that binds a study to its options.
/// </summary>
public static class StudyCatalog
{
    /// <summary>The study of an experiment file without a <c>study:</c> key (the Project 1 pipeline).</summary>
    public const string DefaultStudy = "feature-comparison";

    public static Catalog<IStudy> Catalog { get; } = new Catalog<IStudy>("study")
        .Add(DefaultStudy, "features x learners: embeddings, classical learners by cross-validated grids, a CNN fine-tuned (Project 1)",
            () => new FeatureComparisonOptions(), o => new FeatureComparisonStudy(o))
        .Add("authentication", "paintings authenticated from patches: leave-one-painting-out votes, disputed calls, a format-confound check (the Raphael drawings)",
            () => new AuthenticationOptions(), o => new AuthenticationStudy(o))
        .Add("attention", "recurrent attention models (Mnih et al. 2014) against whole-image baselines on MNIST, translated and cluttered MNIST",
            () => new AttentionStudyOptions(), o => new AttentionStudy(o))
        .Add("inspection", "good/bad image inspection (Nexperia): a fine-tuned CNN by ROC AUC, a submission, outlier scores from good images", () => new InspectionOptions(), o => new InspectionStudy(o))
        .Add("generalization", "randomisation tests, table 1 and a complexity sweep on CIFAR-10 (Zhang et al. 2017; Poggio et al. 2018)",
            () => new GeneralizationOptions(), o => new GeneralizationStudy(o))
        .Add("emocontext", "contextual emotion detection in dialogues (SemEval-2019 Task 3): TF-IDF, LSTM, bc-LSTM models by the official micro-F1",
            () => new EmoContextOptions(), o => new EmoContextStudy(o))
        .Add("dcfnet", "DCFNet: regular networks against their convolutions decomposed over Fourier-Bessel bases (accuracy, parameters, speed, stability)",
            () => new DcfNet.DcfNetOptions(), o => new DcfNet.DcfNetStudy(o))
        .Add("robustness", "robustness: FGSM/PGD accuracy-vs-eps and high-/low-pass noise for plain, adversarially trained, Parseval and DCF networks",
            () => new Robustness.RobustnessOptions(), o => new Robustness.RobustnessStudy(o))
        .Add("classical-denoising", "classical denoisers (BM3D, K-SVD, filters) on grey test sets, PSNR/SSIM under the DnCNN protocol",
            () => new ClassicalDenoisingOptions(), o => new ClassicalDenoisingStudy(o))
        .Add("glass", "pixel-wise defect segmentation of huge line-camera glass images: scattering, ResNet, VGG and DCF encoders by IoU, defect recall and MP/s",
            () => new GlassStudyOptions(), o => new GlassStudy(o))
        .Add("deep-denoising", "DnCNN, Noise2Noise, Noise2Void and a pix2pix GAN against the classical denoisers on simulated cryo-EM particles by SNR; real particles by half-set FRC",
            () => new DeepDenoisingOptions(), o => new DeepDenoisingStudy(o));
}
