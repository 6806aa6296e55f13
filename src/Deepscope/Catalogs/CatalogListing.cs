using System.Text;

namespace Deepscope.Catalogs;

/// <summary>Plain-text listings of the catalogs for <c>deepscope list</c>: names, descriptions, facts and parameters.</summary>
public static class CatalogListing
{
    /// <summary>The kinds, one per line.</summary>
    public static string Kinds()
    {
        var text = new StringBuilder("Kinds of components (deepscope list KIND [NAME] [--params]):\n");
        int width = ComponentKinds.All.Max(k => k.Name.Length);
        foreach (var kind in ComponentKinds.All)
            text.Append($"  {kind.Name.PadRight(width)}  {kind.Description} ({kind.Entries.Count()})\n");
        return text.ToString();
    }

    /// <summary>
    /// The components of <paramref name="kind"/>: name, description and facts, each followed by its parameters when
    /// <paramref name="parameters"/>; only component <paramref name="name"/> (with its parameters) when given.
    /// </summary>
    public static string Components(string kind, string? name = null, bool parameters = false)
    {
        var entries = ComponentKinds.Get(kind).Entries.ToList();
        if (name is not null)
        {
            entries = entries.Where(e => string.Equals(e.Name, name.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
            if (entries.Count == 0)
                throw new DeepscopeException($"no {kind} named '{name}' (known: {string.Join(", ", ComponentKinds.Get(kind).Entries.Select(e => e.Name))})");
            parameters = true;
        }
        if (entries.Count == 0) return $"no {kind} yet\n";
        int width = entries.Max(e => e.Name.Length);
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            var facts = entry.Facts;
            text.Append($"{entry.Name.PadRight(width)}  {entry.Description}{(facts.Length > 0 ? $" [{facts}]" : "")}\n");
            if (parameters) AppendParameters(text, entry.Parameters);
        }
        return text.ToString();
    }

    static void AppendParameters(StringBuilder text, IReadOnlyList<ParameterInfo> parameters)
    {
        if (parameters.Count == 0)
        {
            text.Append("    (no parameters)\n");
            return;
        }
        int width = parameters.Max(p => p.Name.Length);
        foreach (var p in parameters)
        {
            var details = new List<string> { $"{p.Kind}, default {(p.Default.Length > 0 ? p.Default : "\"\"")}" };
            if (p.Choices.Count > 0) details.Add($"or {string.Join(" / ", p.Choices)}");
            if (!double.IsNegativeInfinity(p.Min) || !double.IsPositiveInfinity(p.Max)) details.Add(Range(p.Min, p.Max));
            text.Append($"    {p.Name.PadRight(width)}  {string.Join("; ", details)}{(p.Description.Length > 0 ? $": {p.Description}" : "")}\n");
        }
    }

    static string Range(double min, double max) =>
        double.IsNegativeInfinity(min) ? $"<= {OptionsBinder.Format(max)}"
        : double.IsPositiveInfinity(max) ? $">= {OptionsBinder.Format(min)}"
        : $"{OptionsBinder.Format(min)}..{OptionsBinder.Format(max)}";
}
