using Deepscope.Catalogs;

namespace Deepscope.Data.Generators;

/// <summary>
/// The synthetic data sets by name, as <c>deepscope data generate NAME</c> and experiment files see them. Each is one
/// line: its options record (the defaults) and the factory that binds a generator to its options.
/// </summary>
public static class GeneratorCatalog
{
    public static Catalog<IDatasetGenerator> Catalog { get; } = new Catalog<IDatasetGenerator>("generator")
        .Add("drawings", "28 hatched drawings by a master and three imitators, mixed formats (the Raphael study's stand-in)", () => new DrawingsOptions(), o => new DrawingsGenerator(o))
        .Add("cluttered-mnist", "fixed translated/cluttered MNIST validation and test sets as the attention study uses them (Mnih et al. 2014)",
            () => new ClutteredMnistOptions(), o => new ClutteredMnistGenerator(o))
        .Add("semiconductor", "grey package-with-leads images, good or with defects (Nexperia inspection stand-in)", () => new SemiconductorOptions(), o => new SemiconductorGenerator(o))
        .Add("glass", "huge grey line-camera images of smartphone glass with scratches, pits, cracks, chips and dirt, and exact class masks", () => new GlassOptions(), o => new GlassGenerator(o));
}
