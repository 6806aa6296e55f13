using System.Text.RegularExpressions;
using Deepscope.Catalogs;
using Deepscope.Features;
using Deepscope.Features.Patches;
using Deepscope.Learners;

namespace Deepscope.Studies.Authentication;

/// <summary>
/// The authentication study's options: a folder of paintings with a labels CSV, the common resolution, grey or
/// colour, how patches are cut, which feature + learner pipelines to compare, the confound check and the bootstrap.
/// </summary>
public sealed record AuthenticationOptions
{
    [Param(Description = "folder of paintings (relative to the data folder); file names start with the painting's number")]
    public string Folder { get; init; } = "raphael";

    [Param(Description = "labels CSV in the folder: id,label (raphael, not-raphael, disputed), optional pixels_per_mm")]
    public string Labels { get; init; } = "labels.csv";

    [Param(Description = "optional CSV in the folder with the disputed paintings' known answers (id,truth), for synthetic data")]
    public string? Truth { get; init; }

    [Param("pixels_per_mm", Min = 0.01, Max = 1000, Description = "common resolution every painting is resampled to (none: as they are)")]
    public double? PixelsPerMm { get; init; }

    [Param(Description = "keep colour (RGB) instead of converting to grey")]
    public bool Colour { get; init; }

    public PatchOptions Patches { get; init; } = new();

    [Param(Description = "feature+learner pipelines, each 'extractor(key=value ...)+learner(key=value ...)' from the catalogs; the first is the headline")]
    public string[] Pipelines { get; init; } = ["scattering(J=3)+logreg", "tight-frame+logreg"];

    [Param("confound_jpeg_quality", Min = 1, Max = 100, Description = "re-encode every painting as a JPEG of this quality and evaluate again (none: skip the check)")]
    public int? ConfoundJpegQuality { get; init; } = 75;

    [Param(Min = 0, Max = 100000, Description = "bootstrap resamples of the patches for the disputed paintings' intervals")]
    public int Bootstrap { get; init; } = 1000;

    [Param(Min = 0, Max = 1, Description = "a painting is called Raphael when its share of Raphael votes exceeds this")]
    public double Threshold { get; init; } = 0.5;
}

/// <summary>A catalog component and its parameters as written in a pipeline.</summary>
public sealed record ComponentChoice(string Name, IReadOnlyDictionary<string, string> Parameters)
{
    public string Label => Parameters.Count == 0 ? Name : $"{Name}({string.Join(" ", Parameters.Select(p => $"{p.Key}={p.Value}"))})";
}

/// <summary>A feature extractor followed by a learner, as <c>scattering(J=3)+logreg(C=0.1)</c>.</summary>
public sealed partial record Pipeline(ComponentChoice Feature, ComponentChoice Learner)
{
    public string Label => $"{Feature.Label} + {Learner.Label}";

    /// <summary>Parses and checks a pipeline against the extractor and learner catalogs (unknown names or parameters are errors).</summary>
    public static Pipeline Parse(string text)
    {
        var parts = text.Split('+', StringSplitOptions.TrimEntries);
        if (parts.Length != 2) throw new DeepscopeException($"pipeline '{text}': expected 'extractor(...)+learner(...)'");
        var pipeline = new Pipeline(Component(parts[0], text), Component(parts[1], text));
        FeatureExtractors.Catalog.Get(pipeline.Feature.Name).Bind(pipeline.Feature.Parameters);
        LearnerCatalog.Catalog.Get(pipeline.Learner.Name).Bind(pipeline.Learner.Parameters);
        return pipeline;
    }

    static ComponentChoice Component(string text, string pipeline)
    {
        var match = ComponentPattern().Match(text);
        if (!match.Success) throw new DeepscopeException($"pipeline '{pipeline}': cannot read '{text}' (expected name or name(key=value ...))");
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in match.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) throw new DeepscopeException($"pipeline '{pipeline}': parameter '{pair}' is not key=value");
            parameters[pair[..eq]] = pair[(eq + 1)..];
        }
        return new ComponentChoice(match.Groups[1].Value, parameters);
    }

    [GeneratedRegex(@"^\s*([A-Za-z0-9_.-]+)\s*(?:\((.*)\))?\s*$")]
    private static partial Regex ComponentPattern();
}
