using Deepscope.Catalogs;
using Deepscope.Studies.ClassicalDenoising;
using Deepscope.Studies.FeatureComparison;

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
        .Add("classical-denoising", "classical denoisers (BM3D, K-SVD, filters) on grey test sets, PSNR/SSIM under the DnCNN protocol",
            () => new ClassicalDenoisingOptions(), o => new ClassicalDenoisingStudy(o));
}
