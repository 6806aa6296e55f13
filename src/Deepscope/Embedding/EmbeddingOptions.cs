using Deepscope.Numerics;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
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
    /// <c>learning_rate=auto</c> (snake_case or PascalCase; "auto"/"none" leave a nullable setting to its automatic value).
    /// </summary>
    public EmbeddingOptions With(IReadOnlyDictionary<string, string> parameters)
    {
        var copy = this with { };
        var properties = Settable().ToDictionary(p => p.Name.ToLowerInvariant(), StringComparer.Ordinal);
        foreach (var (name, text) in parameters)
        {
            if (!properties.TryGetValue(name.Replace("_", "").Replace("-", "").ToLowerInvariant(), out var property))
                throw new DeepscopeException($"{Method}: unknown parameter '{name}' (known: {string.Join(", ", ParameterNames())})");
            property.SetValue(copy, ParseValue(property.PropertyType, text, name));
        }
        return copy;
    }

    /// <summary>The settable hyper-parameters in snake_case, for help and errors.</summary>
    public IEnumerable<string> ParameterNames() => Settable().Select(p => SnakeCase(p.Name));

    /// <summary>Every hyper-parameter's current value by snake_case name, for run records.</summary>
    public IReadOnlyDictionary<string, object?> Parameters() => Settable().ToDictionary(p => SnakeCase(p.Name), p => p.GetValue(this));

    IEnumerable<PropertyInfo> Settable() => GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.Name is not nameof(EqualityContract));

    static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    object? ParseValue(Type type, string text, string name)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying != null)
            return text.Trim().ToLowerInvariant() is "auto" or "none" or "" ? null : ParseValue(underlying, text, name);
        try
        {
            if (type.IsEnum) return Enum.Parse(type, text.Replace("_", "").Replace("-", ""), ignoreCase: true);
            if (type == typeof(bool)) return bool.Parse(text);
            if (type == typeof(string)) return text;
            return Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or InvalidCastException)
        {
            string expected = type.IsEnum ? string.Join("|", Enum.GetNames(type).Select(n => n.ToLowerInvariant())) : type.Name.ToLowerInvariant();
            throw new DeepscopeException($"{Method}: parameter '{name}' = '{text}' is not a valid {expected}");
        }
    }

    /// <summary>Formats a number for titles: invariant culture, few digits.</summary>
    protected static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
