using System.Collections;
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
        Dictionary<string, Tensor> file;
        try
        {
            // PyBridge's load_py(module, skip) still reads skipped tensors into the module's storage, so a replaced head
            // of another shape fails; reading the state dict and copying by key avoids that.
            file = path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
                ? Safetensors.LoadStateDict(path)
                : PyTorchUnpickler.UnpickleStateDict(path).Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (Tensor)e.Value!);
        }
        catch (Exception e) when (e is not DeepscopeException)
        {
            throw new InvalidDataFileException(path, $"cannot read weights (not a PyTorch state dict?): {e.Message}", e);
        }
        try
        {
            var targets = module.state_dict().Where(kv => skipPrefix is null || !kv.Key.StartsWith(skipPrefix + ".", StringComparison.Ordinal)).ToList();
            var missing = targets.Where(kv => !file.ContainsKey(kv.Key)).Select(kv => kv.Key).ToList();
            if (missing.Count > 0)
                throw new InvalidDataFileException(path, $"missing weights key{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Take(5).Select(k => $"'{k}'"))}{(missing.Count > 5 ? $" and {missing.Count - 5} more" : "")}");
            using var _ = no_grad();
            foreach (var (key, target) in targets)
            {
                var source = file[key];
                if (!source.shape.SequenceEqual(target.shape))
                    throw new InvalidDataFileException(path, $"weights key '{key}' has shape ({string.Join(", ", source.shape)}) but the model expects ({string.Join(", ", target.shape)})");
                target.copy_(source);
            }
        }
        finally
        {
            foreach (var t in file.Values) t.Dispose();
        }
    }
}
