using Deepscope.Catalogs;

namespace Deepscope.Data.Generators;

/// <summary>
/// The synthetic data sets by name, as <c>deepscope data generate NAME</c> and experiment files see them. Each is one
/// line: its options record (the defaults) and the factory that binds a generator to its options.
/// </summary>
public static class GeneratorCatalog
{
    public static Catalog<IDatasetGenerator> Catalog { get; } = new Catalog<IDatasetGenerator>("generator")
        .Add("semiconductor", "grey package-with-leads images, good or with defects (Nexperia inspection stand-in)", () => new SemiconductorOptions(), o => new SemiconductorGenerator(o));
}
