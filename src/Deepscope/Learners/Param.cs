using System.Globalization;

namespace Deepscope.Learners;

/// <summary>Hyper-parameter values as text (the CLI's <c>--param name=value</c>), parsed and formatted invariantly.</summary>
public static class Param
{
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Splits <c>name=value</c> pairs into a dictionary; names are case-sensitive as in scikit-learn (C, gamma).</summary>
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

    /// <summary>Reads named parameters once each and reports unknown names, so a typo never passes silently.</summary>
    public sealed class Reader(string learner, IReadOnlyDictionary<string, string> values)
    {
        readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public string? Text(string name)
        {
            _used.Add(name);
            return values.TryGetValue(name, out var v) ? v : null;
        }

        public double Double(string name, double fallback) => Text(name) is { } v ? ParseDouble(name, v) : fallback;

        public double? NullableDouble(string name, double? fallback) => Text(name) is { } v ? ParseDouble(name, v) : fallback;

        public int Int(string name, int fallback)
        {
            if (Text(name) is not { } v) return fallback;
            return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
                ? i : throw new DeepscopeException($"{learner}: parameter {name} must be an integer; got '{v}'");
        }

        public int? NullableInt(string name, int? fallback) =>
            Text(name) is { } v && (v is "none" or "null") ? null : values.ContainsKey(name) ? Int(name, 0) : fallback;

        public double ParseDouble(string name, string v) =>
            double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? d : throw new DeepscopeException($"{learner}: parameter {name} must be a number; got '{v}'");

        /// <summary>Throws when a given parameter was never read: the learner does not know it.</summary>
        public void EnsureAllUsed()
        {
            var unknown = values.Keys.Where(k => !_used.Contains(k)).ToList();
            if (unknown.Count > 0)
                throw new DeepscopeException($"{learner}: unknown parameter{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown)} (known: {string.Join(", ", _used.Order())})");
        }
    }
}
