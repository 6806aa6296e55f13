using System.Globalization;
using System.Reflection;

namespace Deepscope.Catalogs;

/// <summary>One parameter of an options record, as users see it.</summary>
public sealed record ParameterInfo(string Name, Type Type, string Default, string Description, IReadOnlyList<string> Choices,
    double Min, double Max, bool Nullable)
{
    /// <summary>The JSON-schema-like type name: integer, number, boolean, string, or a list of them.</summary>
    public string Kind => OptionsBinder.KindOf(System.Nullable.GetUnderlyingType(Type) ?? Type);
}

/// <summary>
/// The one binder of the project: sets the parameters of an options record (a C# record whose property initialisers
/// are the defaults) from text, as written in YAML or with <c>--param name=value</c>. Unknown names, wrong types and
/// out-of-range values are errors naming the owner and the parameter; the defaults object is never changed.
/// </summary>
public static class OptionsBinder
{
    /// <summary>A copy of <paramref name="defaults"/> with <paramref name="values"/> (parameter name → text) applied.</summary>
    public static T Bind<T>(T defaults, IReadOnlyDictionary<string, string>? values, string owner) where T : class
    {
        if (values is null || values.Count == 0) return defaults;
        var copy = Clone(defaults);
        var parameters = Parameters(defaults.GetType());
        foreach (var (name, text) in values)
        {
            var p = Find(parameters, name) ?? throw new DeepscopeException(
                $"{owner}: unknown parameter {name} (known: {string.Join(", ", parameters.Select(x => x.Name))}){Suggest(parameters, name)}");
            p.Property.SetValue(copy, Parse(p, text, owner));
        }
        return copy;
    }

    /// <summary>Splits <c>name=value</c> pairs (the CLI's <c>--param</c>) into a dictionary; the last of a repeated name wins.</summary>
    public static Dictionary<string, string> ParsePairs(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0 || eq == pair.Length - 1) throw new DeepscopeException($"parameter '{pair}' is not of the form name=value");
            result[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return result;
    }

    /// <summary>A copy of <paramref name="options"/> with parameter <paramref name="name"/> set to a value already built (a nested options record).</summary>
    public static T With<T>(T options, string name, object? value) where T : class
    {
        var p = Find(Parameters(options.GetType()), name) ?? throw new ArgumentException($"{options.GetType().Name} has no parameter '{name}'", nameof(name));
        var copy = Clone(options);
        p.Property.SetValue(copy, value);
        return copy;
    }

    /// <summary>The current value of parameter <paramref name="name"/>.</summary>
    public static object? Get(object options, string name) =>
        (Find(Parameters(options.GetType()), name) ?? throw new ArgumentException($"{options.GetType().Name} has no parameter '{name}'", nameof(name)))
        .Property.GetValue(options);

    /// <summary>Whether a parameter of this type is a nested options record (a YAML mapping) rather than a value.</summary>
    public static bool IsNested(Type type) =>
        type.IsClass && type != typeof(string) && !type.IsArray && type.GetMethod("<Clone>$") is not null;

    /// <summary>The parameters of an options record with their current values as defaults.</summary>
    public static IReadOnlyList<ParameterInfo> Describe(object defaults) =>
        Parameters(defaults.GetType()).Select(p => new ParameterInfo(p.Name, p.Property.PropertyType, Display(p, p.Property.GetValue(defaults)),
            p.Attribute?.Description ?? "", Choices(p), p.Attribute?.Min ?? double.NegativeInfinity, p.Attribute?.Max ?? double.PositiveInfinity,
            IsNullable(p.Property))).ToList();

    /// <summary>Every parameter's value by public name, formatted, for run records and reports.</summary>
    public static IReadOnlyDictionary<string, string> Values(object options) =>
        Parameters(options.GetType()).ToDictionary(p => p.Name, p => Display(p, p.Property.GetValue(options)), StringComparer.Ordinal);

    /// <summary>A value as its word when one stands for it (gamma null is <c>scale</c>, weights true is <c>distance</c>).</summary>
    static string Display(Parameter p, object? value)
    {
        foreach (var word in p.Attribute?.Words ?? [])
        {
            var (w, meaning) = (word.Split('=', 2)[0], word.Split('=', 2)[1]);
            if (meaning.Length == 0 ? value is null : meaning != "NaN" && value is not null && Format(value) == meaning) return w;
        }
        return Format(value);
    }

    /// <summary>Text of a value as users write it: invariant numbers, lower-case booleans and enum names, comma-separated lists.</summary>
    public static string Format(object? value) => value switch
    {
        null => "none",
        bool b => b ? "true" : "false",
        double d => double.IsNaN(d) ? "auto" : d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        Enum e => SnakeCase(e.ToString()),
        string s => s,
        System.Collections.IEnumerable list => string.Join(",", list.Cast<object?>().Select(Format)),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) && !char.IsUpper(name[i - 1]) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    internal static string KindOf(Type type) =>
        IsNested(type) ? "object"
        : type == typeof(bool) ? "boolean"
        : type == typeof(int) || type == typeof(long) ? "integer"
        : type == typeof(double) || type == typeof(float) ? "number"
        : type.IsArray ? $"list of {KindOf(type.GetElementType()!)}"
        : "string";

    sealed record Parameter(string Name, PropertyInfo Property, ParamAttribute? Attribute);

    static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Parameter[]> Cache = new();

    static Parameter[] Parameters(Type type) => Cache.GetOrAdd(type, t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.SetMethod!.IsPublic && p.Name != "EqualityContract" && p.GetCustomAttribute<NotAParameterAttribute>() is null)
        .Select(p => new Parameter(p.GetCustomAttribute<ParamAttribute>()?.Name ?? SnakeCase(p.Name), p, p.GetCustomAttribute<ParamAttribute>()))
        .ToArray());

    static Parameter? Find(Parameter[] parameters, string name) =>
        parameters.FirstOrDefault(p => p.Name == name)
        ?? parameters.FirstOrDefault(p => Normal(p.Name) == Normal(name) || Normal(p.Property.Name) == Normal(name)
            || (p.Attribute?.Aliases ?? []).Any(a => Normal(a) == Normal(name)));

    static string Normal(string name) => name.Replace("_", "").Replace("-", "").ToLowerInvariant();

    static string Suggest(Parameter[] parameters, string name)
    {
        var close = parameters.Select(p => p.Name).OrderBy(p => Distance(Normal(p), Normal(name))).FirstOrDefault();
        return close is not null && Distance(Normal(close), Normal(name)) <= 2 ? $"; did you mean '{close}'?" : "";
    }

    static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    static T Clone<T>(T value) where T : class =>
        (T)(value.GetType().GetMethod("<Clone>$")?.Invoke(value, null)
            ?? throw new InvalidOperationException($"{value.GetType().Name} is not a record: options must be records"));

    static bool IsNullable(PropertyInfo p) =>
        Nullable.GetUnderlyingType(p.PropertyType) is not null
        || (!p.PropertyType.IsValueType && new NullabilityInfoContext().Create(p).WriteState == NullabilityState.Nullable);

    static IReadOnlyList<string> Choices(Parameter p)
    {
        var type = Nullable.GetUnderlyingType(p.Property.PropertyType) ?? p.Property.PropertyType;
        var words = (p.Attribute?.Words ?? []).Select(w => w.Split('=', 2)[0]);
        return type.IsEnum ? [.. Enum.GetNames(type).Select(SnakeCase), .. words] : [.. words];
    }

    static object? Parse(Parameter p, string text, string owner)
    {
        text = text.Trim();
        foreach (var word in p.Attribute?.Words ?? [])
        {
            var (w, meaning) = (word.Split('=', 2)[0], word.Split('=', 2)[1]);
            if (string.Equals(w, text, StringComparison.OrdinalIgnoreCase))
                return meaning.Length == 0 ? null
                    : meaning == "NaN" ? (Nullable.GetUnderlyingType(p.Property.PropertyType) ?? p.Property.PropertyType) == typeof(float) ? float.NaN : double.NaN
                    : Parse(p, meaning, owner);
        }
        var type = p.Property.PropertyType;
        bool nullable = IsNullable(p.Property);
        if (nullable && (p.Attribute?.Words ?? []).Length == 0 && text.ToLowerInvariant() is "none" or "null" or "auto") return null;
        type = Nullable.GetUnderlyingType(type) ?? type;
        var value = ParseValue(type, text) ?? throw new DeepscopeException(
            $"{owner}: parameter '{p.Name}' must be {Expected(type, p)}; got '{text}'");
        if (value is IConvertible c && type != typeof(string) && type != typeof(bool) && !type.IsEnum)
        {
            double d = c.ToDouble(CultureInfo.InvariantCulture);
            double min = p.Attribute?.Min ?? double.NegativeInfinity, max = p.Attribute?.Max ?? double.PositiveInfinity;
            if (d < min || d > max)
                throw new DeepscopeException($"{owner}: parameter '{p.Name}' must be {Range(min, max)}; got {text}");
        }
        return value;
    }

    static object? ParseValue(Type type, string text)
    {
        var inv = CultureInfo.InvariantCulture;
        if (type == typeof(string)) return text;
        if (type == typeof(bool)) return text.ToLowerInvariant() switch { "true" or "yes" => true, "false" or "no" => false, _ => null };
        if (type == typeof(int)) return int.TryParse(text, NumberStyles.Integer, inv, out var i) ? i : null;
        if (type == typeof(long)) return long.TryParse(text, NumberStyles.Integer, inv, out var l) ? l : null;
        if (type == typeof(double)) return double.TryParse(text, NumberStyles.Float, inv, out var d) && double.IsFinite(d) ? d : null;
        if (type == typeof(float)) return float.TryParse(text, NumberStyles.Float, inv, out var f) && float.IsFinite(f) ? f : null;
        if (type.IsEnum)
            return Enum.GetNames(type).FirstOrDefault(n => Normal(n) == Normal(text)) is { } name ? Enum.Parse(type, name) : null;
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            var parts = text.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var array = Array.CreateInstance(element, parts.Length);
            for (int k = 0; k < parts.Length; k++)
                array.SetValue(ParseValue(element, parts[k]) ?? (object?)null, k);
            return parts.All(part => ParseValue(element, part) is not null) ? array : null;
        }
        throw new InvalidOperationException($"options of type {type.Name} cannot be bound from text");
    }

    static string Expected(Type type, Parameter p)
    {
        var choices = Choices(p);
        if (choices.Count > 0 && type.IsEnum) return $"one of {string.Join(", ", choices)}";
        var kind = KindOf(type) switch { "integer" => "a whole number", "number" => "a number", "boolean" => "true or false", var k => $"a {k}" };
        return choices.Count > 0 ? $"{kind} or one of {string.Join(", ", choices)}" : kind;
    }

    static string Range(double min, double max) =>
        double.IsNegativeInfinity(min) ? $"at most {Format(max)}"
        : double.IsPositiveInfinity(max) ? $"at least {Format(min)}"
        : $"between {Format(min)} and {Format(max)}";
}
