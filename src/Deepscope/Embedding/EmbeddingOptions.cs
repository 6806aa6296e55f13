using Deepscope.Catalogs;
using Deepscope.Numerics;
using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace Deepscope.Embedding;

/// <summary>
/// Hyper-parameters of one embedding method (scikit-learn's defaults), and the one place that checks the input and
/// times the fit. <see cref="Embed"/> takes features (N, D) and returns the coordinates (N, <see cref="Components"/>).
/// </summary>
public abstract record EmbeddingOptions
{
    /// <summary>Output dimensions (2 for plots).</summary>
    public int Components { get; init; } = 2;
    /// <summary>Seed of every random choice (initialisation, sampling): the same seed gives the same embedding.</summary>
    public long Seed { get; init; }

    /// <summary>Name on the command line, e.g. "tsne".</summary>
    public abstract string Method { get; }
    /// <summary>Name in titles, e.g. "t-SNE".</summary>
    public abstract string DisplayName { get; }

    /// <summary>The fitted coordinates, settings for the title, and diagnostics.</summary>
    protected abstract (float[,] Points, string Settings, Dictionary<string, double> Diagnostics) Run(Tensor x, IProgressReporter progress);

    /// <summary>The smallest number of samples the method can embed.</summary>
    protected virtual int MinimumSamples => Components + 1;

    /// <summary>Embeds the rows of <paramref name="features"/> (N, D), any float or integer type; NaN and infinities are refused.</summary>
    public EmbeddingResult Embed(Tensor features, IProgressReporter? progress = null)
    {
        if (Components < 1) throw new DeepscopeException($"{Method}: components must be at least 1, got {Components}");
        using var scope = NewDisposeScope();
        var x = Prepare(features);
        if (x.shape[0] < MinimumSamples)
            throw new DeepscopeException($"{Method}: needs at least {MinimumSamples} samples, got {x.shape[0]}");
        var clock = Stopwatch.StartNew();
        var (points, settings, diagnostics) = Run(x, progress ?? NoProgress.Instance);
        clock.Stop();
        return new EmbeddingResult(points, DisplayName, settings, diagnostics, clock.Elapsed);
    }

    /// <summary>(N, D) float32 contiguous on the CPU; higher-rank inputs (images) are flattened per sample.</summary>
    internal static Tensor Prepare(Tensor features)
    {
        if (features.dim() < 2) throw new DeepscopeException($"features must be (N, D), got shape ({string.Join(", ", features.shape)})");
        var x = features.reshape(features.shape[0], -1).to_type(ScalarType.Float32).cpu().contiguous();
        if (x.shape[1] == 0) throw new DeepscopeException("features have zero columns");
        // Blockwise: isfinite of a whole large matrix allocates a float copy of it (abs) on the way.
        FloatMatrix.CheckFinite(x);
        return x;
    }

    /// <summary>
    /// A copy with the named hyper-parameters set from text, as on the command line: <c>perplexity=30</c>,
    /// <c>learning_rate=auto</c> (through the project's one <see cref="OptionsBinder"/>).
    /// </summary>
    public EmbeddingOptions With(IReadOnlyDictionary<string, string> parameters) => OptionsBinder.Bind(this, parameters, Method);

    /// <summary>The settable hyper-parameters in snake_case, for help and errors.</summary>
    public IEnumerable<string> ParameterNames() => OptionsBinder.Describe(this).Select(p => p.Name);

    /// <summary>Every hyper-parameter's current value by snake_case name, for run records.</summary>
    public IReadOnlyDictionary<string, string> Parameters() => OptionsBinder.Values(this);

    /// <summary>Formats a number for titles: invariant culture, few digits.</summary>
    protected static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
