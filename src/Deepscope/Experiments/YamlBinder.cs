using Deepscope.Catalogs;

namespace Deepscope.Experiments;

/// <summary>
/// Binds a YAML mapping onto an options record through the one <see cref="OptionsBinder"/>: keys are the parameters'
/// public names, lists become comma-separated values, nested records are nested mappings. Every error names the file,
/// line and column; keys the record does not have are errors too.
/// </summary>
public static class YamlBinder
{
    public static T Bind<T>(YamlMap map, T defaults) where T : class
    {
        var current = defaults;
        var parameters = OptionsBinder.Describe(defaults);
        foreach (var key in map.Keys.ToList())
        {
            if (parameters.FirstOrDefault(p => p.Name == key) is not { } parameter) continue; // reported by RejectUnknownKeys
            try
            {
                if (OptionsBinder.IsNested(parameter.Type))
                {
                    var nested = map.Map(key)!;
                    var inner = OptionsBinder.Get(current, key) ?? Activator.CreateInstance(parameter.Type)!;
                    current = OptionsBinder.With(current, key, Bind(nested, inner));
                }
                else
                {
                    var text = parameter.Type.IsArray ? string.Join(",", map.Strings(key)) : map.String(key) ?? "none";
                    current = OptionsBinder.Bind(current, new Dictionary<string, string> { [key] = text }, Owner(map));
                }
            }
            catch (DeepscopeException e) when (e is not InvalidDataFileException)
            {
                // The binder names the parameter; the YAML side adds where it stands.
                throw map.Error(map.Where(key), e.Message);
            }
        }
        map.RejectUnknownKeys();
        return current;
    }

    static string Owner(YamlMap map) => map.Path.Length == 0 ? "study options" : map.Path;
}
