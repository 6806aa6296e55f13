using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Deepscope.Experiments;

/// <summary>
/// A typed view of one YAML mapping that knows where each value stands in the file, so every error names the file,
/// line and column. Keys not read by the time <see cref="RejectUnknownKeys"/> runs are reported as unknown.
/// </summary>
public sealed class YamlMap
{
    readonly YamlMappingNode _node;
    // Keys asked for, in order: what is known, for unknown-key errors.
    readonly List<string> _read = new();

    public string File { get; }
    public string Path { get; }

    YamlMap(YamlMappingNode node, string file, string path)
    {
        _node = node;
        File = file;
        Path = path;
    }

    /// <summary>Parses a YAML document whose root is a mapping.</summary>
    public static YamlMap Load(string file)
    {
        if (!System.IO.File.Exists(file)) throw new InvalidDataFileException(file, "file not found");
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new InvalidDataFileException(file, $"line {e.Start.Line}, column {e.Start.Column}: invalid YAML ({e.Message})", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InvalidDataFileException(file, "line 1: expected a mapping of settings at the top level");
        return new YamlMap(root, file, "");
    }

    public IEnumerable<string> Keys => _node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

    public bool Has(string key) => Find(key) != null;

    public string? String(string key, string? fallback = null) =>
        Find(key) is { } node ? Scalar(node, key) : fallback;

    public string RequireString(string key) =>
        String(key) ?? throw Error(_node, $"missing required key '{Qualified(key)}'");

    public int? Int(string key, int? fallback = null, int min = int.MinValue, int max = int.MaxValue)
    {
        if (Find(key) is not { } node) return fallback;
        if (!int.TryParse(Scalar(node, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw Error(node, $"'{Qualified(key)}' must be a whole number, got '{Scalar(node, key)}'");
        if (value < min || value > max)
            throw Error(node, $"'{Qualified(key)}' must be between {min} and {max}, got {value}");
        return value;
    }

    public double? Double(string key, double? fallback = null, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        if (Find(key) is not { } node) return fallback;
        if (!double.TryParse(Scalar(node, key), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw Error(node, $"'{Qualified(key)}' must be a number, got '{Scalar(node, key)}'");
        if (value < min || value > max)
            throw Error(node, $"'{Qualified(key)}' must be between {min} and {max}, got {value}");
        return value;
    }

    public bool? Bool(string key, bool? fallback = null)
    {
        if (Find(key) is not { } node) return fallback;
        return Scalar(node, key) switch
        {
            "true" or "True" or "yes" => true,
            "false" or "False" or "no" => false,
            var other => throw Error(node, $"'{Qualified(key)}' must be true or false, got '{other}'"),
        };
    }

    /// <summary>A value that must be one of <paramref name="allowed"/>.</summary>
    public string? Choice(string key, IReadOnlyCollection<string> allowed, string? fallback = null)
    {
        if (Find(key) is not { } node) return fallback;
        var value = Scalar(node, key);
        return allowed.Contains(value) ? value
            : throw Error(node, $"'{Qualified(key)}' must be one of {string.Join(", ", allowed)}; got '{value}'");
    }

    public YamlMap? Map(string key)
    {
        if (Find(key) is not { } node) return null;
        return node as YamlMappingNode is { } map ? new YamlMap(map, File, Qualified(key))
            : throw Error(node, $"'{Qualified(key)}' must be a mapping of settings");
    }

    /// <summary>
    /// A list whose items are either a bare name (<c>- lda</c>) or a one-key mapping of a name to its settings
    /// (<c>- svm-rbf: {C: [1, 10]}</c>); a single bare name is accepted for a one-item list.
    /// </summary>
    public IReadOnlyList<(string Name, YamlMap? Settings, Mark Where)> NamedList(string key)
    {
        if (Find(key) is not { } node) return [];
        var items = node switch
        {
            YamlSequenceNode seq => seq.Children.ToList(),
            YamlScalarNode scalar => [scalar],
            _ => throw Error(node, $"'{Qualified(key)}' must be a list"),
        };
        var result = new List<(string, YamlMap?, Mark)>();
        foreach (var item in items)
        {
            switch (item)
            {
                case YamlScalarNode { Value: { Length: > 0 } name }:
                    result.Add((name, null, item.Start));
                    break;
                case YamlMappingNode { Children.Count: 1 } single when single.Children.First() is ({ } k, var v) && k is YamlScalarNode { Value: { } name }:
                    if (v is YamlMappingNode settings) result.Add((name, new YamlMap(settings, File, $"{Qualified(key)}.{name}"), item.Start));
                    else if (v is YamlScalarNode { Value: null or "" or "~" or "null" }) result.Add((name, null, item.Start));
                    else throw Error(v, $"settings of '{Qualified(key)}.{name}' must be a mapping");
                    break;
                default:
                    throw Error(item, $"each item of '{Qualified(key)}' must be a name or 'name: {{settings}}'");
            }
        }
        return result;
    }

    /// <summary>A list of scalars, or one scalar taken as a one-item list.</summary>
    public IReadOnlyList<string> Strings(string key)
    {
        if (Find(key) is not { } node) return [];
        return node switch
        {
            YamlScalarNode s => [s.Value ?? ""],
            YamlSequenceNode seq => seq.Children.Select(c => c is YamlScalarNode s ? s.Value ?? ""
                : throw Error(c, $"items of '{Qualified(key)}' must be plain values")).ToList(),
            _ => throw Error(node, $"'{Qualified(key)}' must be a value or a list of values"),
        };
    }

    /// <summary>Every key as its raw scalar values (a list value is a grid of candidates), for free-form parameter maps.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> RawValues()
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var key in Keys) result[key] = Strings(key);
        return result;
    }

    public void RejectUnknownKeys()
    {
        foreach (var (k, _) in _node.Children)
            if (k is YamlScalarNode { Value: { } name } && !_read.Contains(name))
                throw Error(k, $"unknown key '{Qualified(name)}'{Suggest(name)}");
    }

    /// <summary>Where the value of <paramref name="key"/> starts (the mapping's start when the key is absent).</summary>
    public Mark Where(string key) => Find(key)?.Start ?? _node.Start;

    public DeepscopeException Error(Mark where, string problem) =>
        new InvalidDataFileException(File, $"line {where.Line}, column {where.Column}: {problem}");

    DeepscopeException Error(YamlNode node, string problem) => Error(node.Start, problem);

    YamlNode? Find(string key)
    {
        if (!_read.Contains(key)) _read.Add(key);
        return _node.Children.TryGetValue(new YamlScalarNode(key), out var value)
               && value is not YamlScalarNode { Value: null or "~" or "null", Style: ScalarStyle.Plain } ? value : null;
    }

    string Scalar(YamlNode node, string key) => node is YamlScalarNode { Value: { } v } ? v
        : throw Error(node, $"'{Qualified(key)}' must be a single value");

    string Qualified(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    string Suggest(string name) => _read.Count == 0 ? "" : $" (expected one of: {string.Join(", ", _read)})";
}
