using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Deepscope.IO;

namespace Deepscope.Studies;

/// <summary>
/// What defines a stage: its kind (<c>features</c>, <c>learner</c>, <c>fine-tune</c>, ...) and every setting its result
/// depends on, as a JSON-serialisable object. Two stages with equal keys have equal results, so a finished one is
/// reused: after a kill, by a later run, by another shard.
/// </summary>
public sealed record StageKey(string Kind, object Definition)
{
    /// <summary>The definition as canonical JSON (snake_case, object keys sorted).</summary>
    public string Canonical { get; } = Canonicalize(JsonSerializer.SerializeToNode(Definition, JsonFormat.Options));

    /// <summary>Twelve hex digits of the SHA-256 of kind and definition: the stage's file name.</summary>
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Kind}\n{Canonical}")))[..12];

    static string Canonicalize(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => JsonSerializer.Serialize(p.Key) + ":" + Canonicalize(p.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonicalize)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };
}

/// <summary>A finished stage as stored: its key, a readable label, how long it took, and its result.</summary>
public sealed record StageRecord<T>(string Kind, JsonNode? Key, string Label, double Seconds, DateTime FinishedUtc, string? Shard, T Value);

/// <summary>
/// The one keyed store of finished stages: one JSON file per stage, <c>&lt;root&gt;/&lt;kind&gt;/&lt;hash&gt;.json</c>, written
/// atomically, so shards on several machines can share one folder and a killed run resumes where it stopped. A
/// stage's large outputs (feature matrices, training checkpoints) live in its <see cref="ArtifactFolder"/>.
/// </summary>
public sealed class StageStore(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string RecordPath(StageKey key) => Path.Combine(Root, key.Kind, key.Hash + ".json");

    /// <summary>The folder for a stage's files: a readable prefix plus the key's hash.</summary>
    public string ArtifactFolder(StageKey key, string readableName) => Path.Combine(Root, key.Kind, $"{readableName}-{key.Hash}");

    public bool Has(StageKey key) => File.Exists(RecordPath(key));

    public StageRecord<T>? Find<T>(StageKey key)
    {
        var path = RecordPath(key);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<StageRecord<T>>(File.ReadAllText(path), JsonFormat.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataFileException(path, $"not a stage record of kind '{key.Kind}' ({e.Message}); delete it to recompute the stage");
        }
    }

    public StageRecord<T> Save<T>(StageKey key, string label, T value, double seconds, string? shard = null)
    {
        var record = new StageRecord<T>(key.Kind, JsonNode.Parse(key.Canonical), label, seconds, DateTime.UtcNow, shard, value);
        AtomicFile.WriteAllText(RecordPath(key), JsonSerializer.Serialize(record, JsonFormat.Options));
        return record;
    }

    /// <summary>Removes a stage's record (and its artifact folder if given) so that it runs again.</summary>
    public void Forget(StageKey key, string? artifactFolder = null)
    {
        File.Delete(RecordPath(key));
        if (artifactFolder is not null && Directory.Exists(artifactFolder)) Directory.Delete(artifactFolder, recursive: true);
    }
}
