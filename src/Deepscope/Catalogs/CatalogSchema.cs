using System.Globalization;
using System.Text.Json.Nodes;

namespace Deepscope.Catalogs;

/// <summary>
/// JSON Schema (draft 2020-12) fragments written from options records and catalogs, so the schema of experiment files
/// says exactly what the binder accepts: names, types, defaults, ranges, choices and one-line descriptions.
/// </summary>
public static class CatalogSchema
{
    /// <summary>An object schema of an options record's parameters; with <paramref name="grid"/> each may also be a list of candidates.</summary>
    public static JsonObject Parameters(object defaults, bool grid = false)
    {
        var properties = new JsonObject();
        foreach (var p in OptionsBinder.Describe(defaults))
        {
            var value = OptionsBinder.IsNested(p.Type) && OptionsBinder.Get(defaults, p.Name) is { } nested
                ? Described(Parameters(nested), p.Description)
                : Value(p);
            properties[p.Name] = grid && !OptionsBinder.IsNested(p.Type)
                ? new JsonObject { ["anyOf"] = new JsonArray(value, new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = value.DeepClone() }) }
                : value;
        }
        return new JsonObject { ["type"] = "object", ["additionalProperties"] = false, ["properties"] = properties };
    }

    /// <summary>
    /// A list of components of one catalog, each a bare name (<c>- lda</c>) or a one-key mapping of its name to its
    /// parameters (<c>- svm-rbf: {C: [1, 10]}</c>).
    /// </summary>
    public static JsonObject NamedList(IEnumerable<ICatalogEntry> entries, bool grid = false)
    {
        var list = entries.ToList();
        var choices = new JsonArray { new JsonObject { ["enum"] = Strings(list.Select(e => e.Name)) } };
        foreach (var entry in list)
            choices.Add(new JsonObject
            {
                ["type"] = "object", ["additionalProperties"] = false, ["required"] = Strings([entry.Name]),
                ["properties"] = new JsonObject { [entry.Name] = Described(Parameters(entry.DefaultOptions(), grid), entry.Description) },
            });
        return new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = new JsonObject { ["oneOf"] = choices } };
    }

    /// <summary>The names of a catalog as an enum.</summary>
    public static JsonObject Names(IEnumerable<ICatalogEntry> entries) => new() { ["enum"] = Strings(entries.Select(e => e.Name)) };

    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v)!)]);

    static JsonObject Value(ParameterInfo p)
    {
        var type = Nullable.GetUnderlyingType(p.Type) ?? p.Type;
        JsonObject schema = type.IsEnum ? new JsonObject { ["enum"] = Strings(p.Choices) } : Typed(type);
        if (p.Min > double.NegativeInfinity) Bound(schema, "minimum", p.Min, type);
        if (p.Max < double.PositiveInfinity) Bound(schema, "maximum", p.Max, type);
        var words = type.IsEnum ? [] : p.Choices;
        if (words.Count > 0 || (p.Nullable && !type.IsEnum))
            schema = new JsonObject { ["anyOf"] = new JsonArray(schema, new JsonObject { ["enum"] = Strings(words.Count > 0 ? words : ["none"]) }) };
        if (p.Default != "none" && Default(p.Default, type) is { } d) schema["default"] = d;
        return Described(schema, p.Description);
    }

    static JsonObject Typed(Type type) => type.IsArray
        ? new JsonObject { ["type"] = "array", ["items"] = Typed(type.GetElementType()!) }
        : new JsonObject { ["type"] = OptionsBinder.KindOf(type) };

    static void Bound(JsonObject schema, string name, double bound, Type type)
    {
        var target = type.IsArray ? schema["items"]!.AsObject() : schema;
        target[name] = bound == Math.Floor(bound) && Math.Abs(bound) < 1e15 ? JsonValue.Create((long)bound) : JsonValue.Create(bound);
    }

    static JsonNode? Default(string text, Type type)
    {
        var inv = CultureInfo.InvariantCulture;
        if (type == typeof(bool)) return JsonValue.Create(text == "true");
        if ((type == typeof(int) || type == typeof(long)) && long.TryParse(text, NumberStyles.Integer, inv, out var l)) return JsonValue.Create(l);
        if ((type == typeof(double) || type == typeof(float)) && double.TryParse(text, NumberStyles.Float, inv, out var d) && double.IsFinite(d)) return JsonValue.Create(d);
        if (type.IsArray)
            return new JsonArray([.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => Default(t, type.GetElementType()!))]);
        return type == typeof(string) || type.IsEnum ? JsonValue.Create(text) : null;
    }

    /// <summary>The schema with its description set (left out when empty).</summary>
    public static JsonObject Described(JsonObject schema, string description)
    {
        if (description.Length > 0) schema["description"] = description;
        return schema;
    }
}
