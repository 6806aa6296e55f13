using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Deepscope.Models;

/// <summary>
/// Loads PyTorch weights (.pth/.pt state dicts, or .safetensors) into a module by state-dict key, skipping the
/// classifier head when it is being replaced. The one place Deepscope.Training reads foreign weight files.
/// </summary>
public static class PretrainedWeights
{
    public static void Load(nn.Module module, string path, string? skipPrefix = null)
    {
        if (!File.Exists(path)) throw new DeepscopeException($"weights file not found: {path}");
        var expected = module.state_dict().Keys.Where(k => skipPrefix is null || !IsUnder(k, skipPrefix)).ToList();
        var skip = module.state_dict().Keys.Where(k => skipPrefix is not null && IsUnder(k, skipPrefix)).ToList();
        var loaded = new Dictionary<string, bool>();
        try
        {
            if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) module.load_safetensors(path, strict: false, skip: skip, loadedParameters: loaded);
            else module.load_py(path, strict: false, skip: skip, loadedParameters: loaded);
        }
        catch (Exception e) when (e is not DeepscopeException)
        {
            throw new InvalidDataFileException(path, $"cannot load weights: {e.Message}", e);
        }
        var missing = expected.Where(k => !loaded.GetValueOrDefault(k)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataFileException(path, $"missing weights key{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Take(5).Select(k => $"'{k}'"))}{(missing.Count > 5 ? $" and {missing.Count - 5} more" : "")}");
    }

    static bool IsUnder(string key, string prefix) => key.StartsWith(prefix + ".", StringComparison.Ordinal);
}
