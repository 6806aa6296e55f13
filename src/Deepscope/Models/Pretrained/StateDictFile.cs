using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Deepscope.Models.Pretrained;

/// <summary>
/// Reads PyTorch state dicts: zip-format <c>torch.save</c> files (what torchvision publishes and what PyTorch has
/// written since 1.6) and safetensors. Unwraps training checkpoints (<c>{"state_dict": ...}</c> and the like) and the
/// <c>module.</c> prefix of DataParallel; checks keys and shapes against a module before copying anything.
/// </summary>
public static class StateDictFile
{
    // Entries under which training scripts commonly keep the weights, tried in this order.
    static readonly string[] WrapperKeys = ["state_dict", "model_state_dict", "model", "net", "network", "weights", "params"];
    // Prefixes added by DataParallel/DistributedDataParallel, torch.compile and Lightning-style wrappers.
    static readonly string[] WrapperPrefixes = ["module.", "_orig_mod.", "model."];

    /// <summary>Reads the tensors of a checkpoint, keyed as in the unwrapped model.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new DeepscopeException($"weights file not found: {path}");
        var format = Sniff(path);
        Dictionary<string, Tensor> state = format switch
        {
            Format.Zip => FromPickle(path),
            Format.Safetensors => FromSafetensors(path),
            Format.LegacyPickle => throw new InvalidDataFileException(path,
                "saved in PyTorch's legacy (pre-1.6) format, which cannot be read here; re-save it in Python with torch.save(torch.load(f), new_f)"),
            _ => throw new InvalidDataFileException(path, "not a PyTorch checkpoint (zip-format .pth/.pt) or a safetensors file"),
        };
        if (state.Count == 0) throw new InvalidDataFileException(path, "the checkpoint holds no tensors");
        return StripPrefixes(state);
    }

    /// <summary>Reads <paramref name="path"/> and copies it into <paramref name="model"/> (see <see cref="Apply"/>).</summary>
    public static void Load(nn.Module model, string path, string modelName, string? skipPrefix = null)
    {
        var state = Read(path);
        try { Apply(model, state, path, modelName, skipPrefix); }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Copies <paramref name="state"/> into <paramref name="model"/>, converting dtypes. Every key of the model must
    /// be present with the same shape and the file must hold no other key; <c>num_batches_tracked</c> may be absent,
    /// as in torchvision's older files. Keys under <paramref name="skipPrefix"/> (a head being replaced, e.g. <c>fc</c>)
    /// are neither required nor copied, whatever their shape in the file.
    /// </summary>
    public static void Apply(nn.Module model, IReadOnlyDictionary<string, Tensor> state, string source, string modelName, string? skipPrefix = null)
    {
        bool Skipped(string key) => skipPrefix != null && key.StartsWith(skipPrefix + ".", StringComparison.Ordinal);
        var target = model.state_dict().Where(kv => !Skipped(kv.Key)).ToDictionary();
        var missing = target.Keys.Where(k => !state.ContainsKey(k) && !IsBatchCounter(k)).ToList();
        // A pickled dict arrives without its order: report unexpected keys sorted, shapes in the model's order.
        var unexpected = state.Keys.Where(k => !target.ContainsKey(k) && !Skipped(k)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"missing key{(missing.Count > 1 ? "s" : "")} {Few(missing)}");
            if (unexpected.Count > 0) parts.Add($"unexpected key{(unexpected.Count > 1 ? "s" : "")} {Few(unexpected)}");
            throw new InvalidDataFileException(source, $"does not fit {modelName}: {string.Join("; ", parts)}");
        }
        foreach (var (key, parameter) in target)
            if (state.TryGetValue(key, out var value) && !value.shape.SequenceEqual(parameter.shape))
                throw new InvalidDataFileException(source,
                    $"key '{key}' has shape ({string.Join(", ", value.shape)}) in the file but ({string.Join(", ", parameter.shape)}) in {modelName}");
        using var _ = no_grad();
        foreach (var (key, value) in state)
            if (target.TryGetValue(key, out var parameter)) parameter.copy_(value);
    }

    static bool IsBatchCounter(string key) => key.EndsWith("num_batches_tracked", StringComparison.Ordinal);

    static string Few(IReadOnlyList<string> keys) =>
        string.Join(", ", keys.Take(5).Select(k => $"'{k}'")) + (keys.Count > 5 ? $" and {keys.Count - 5} more" : "");

    enum Format { Unknown, Zip, Safetensors, LegacyPickle }

    static Format Sniff(string path)
    {
        Span<byte> head = stackalloc byte[9];
        int n;
        using (var stream = File.OpenRead(path)) n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4) return Format.Zip;
        // A pickle stream (protocol 2+): how torch.save wrote files before the zip format.
        if (n >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5) return Format.LegacyPickle;
        // safetensors: an 8-byte little-endian header length, then a JSON object.
        if (n == 9 && head[8] == (byte)'{' && BitConverter.ToUInt64(head[..8]) < (ulong)new FileInfo(path).Length) return Format.Safetensors;
        return Format.Unknown;
    }

    static Dictionary<string, Tensor> FromSafetensors(string path)
    {
        try { return TorchSharp.PyBridge.Safetensors.LoadStateDict(path); }
        catch (Exception e) when (e is not DeepscopeException)
        {
            throw new InvalidDataFileException(path, $"unreadable safetensors file ({e.Message})", e);
        }
    }

    static Dictionary<string, Tensor> FromPickle(string path)
    {
        Hashtable root;
        try { root = PyTorchUnpickler.UnpickleStateDict(path); }
        catch (InvalidCastException e)
        {
            throw new InvalidDataFileException(path, "holds a single object, not a dictionary of tensors (a state dict)", e);
        }
        catch (Exception e) when (e is not DeepscopeException)
        {
            throw new InvalidDataFileException(path, $"unreadable PyTorch checkpoint ({e.GetType().Name}: {e.Message})", e);
        }
        var table = FindStateDict(root) ?? throw new InvalidDataFileException(path,
            $"no state dict found: the top-level entries are {string.Join(", ", root.Keys.Cast<object>().Select(k => $"'{k}'").Order())}, none of them a dictionary of tensors");
        var state = new Dictionary<string, Tensor>(table.Count);
        foreach (DictionaryEntry e in table)
        {
            if (e.Value is Tensor t) state[(string)e.Key] = t;
            else
            {
                foreach (var owned in state.Values) owned.Dispose();
                throw new InvalidDataFileException(path, $"state-dict entry '{e.Key}' is a {e.Value?.GetType().Name ?? "None"}, not a tensor");
            }
        }
        return state;
    }

    static Hashtable? FindStateDict(Hashtable table)
    {
        if (table.Count > 0 && table.Values.Cast<object?>().Any(v => v is Tensor)) return table;
        foreach (var key in WrapperKeys)
            if (table[key] is Hashtable inner && FindStateDict(inner) is { } found) return found;
        var nested = table.Values.OfType<Hashtable>().Select(FindStateDict).Where(t => t != null).ToList();
        return nested.Count == 1 ? nested[0] : null;
    }

    static Dictionary<string, Tensor> StripPrefixes(Dictionary<string, Tensor> state)
    {
        for (bool stripped = true; stripped;)
        {
            stripped = false;
            foreach (var prefix in WrapperPrefixes)
                if (state.Keys.All(k => k.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    state = state.ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
                    stripped = true;
                }
        }
        return state;
    }
}
