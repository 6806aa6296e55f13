using Deepscope.Catalogs;
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
        .Add("dcfnet", "DCFNet: regular networks against their convolutions decomposed over Fourier-Bessel bases (accuracy, parameters, speed, stability)",
            () => new DcfNet.DcfNetOptions(), o => new DcfNet.DcfNetStudy(o));
}
