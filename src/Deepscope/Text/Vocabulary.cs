using Deepscope.IO;

namespace Deepscope.Text;

/// <summary>
/// Token ids: <c>&lt;pad&gt;</c> is 0, <c>&lt;unk&gt;</c> 1 (every token seen fewer than the minimum count, or never),
/// <c>&lt;eot&gt;</c> 2 (end of a turn), then the tokens by decreasing count (ties in ordinal order, so the ids are the
/// same on any machine).
/// </summary>
public sealed class Vocabulary
{
    public const string Padding = "<pad>", Unknown = "<unk>", EndOfTurn = "<eot>";
    public const long PaddingId = 0, UnknownId = 1, EndOfTurnId = 2;

    readonly Dictionary<string, long> _ids;

    public Vocabulary(IReadOnlyList<string> tokens)
    {
        if (tokens.Count < 3 || tokens[0] != Padding || tokens[1] != Unknown || tokens[2] != EndOfTurn)
            throw new DeepscopeException($"a vocabulary starts with {Padding}, {Unknown}, {EndOfTurn}");
        Tokens = tokens;
        _ids = new Dictionary<string, long>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
            if (!_ids.TryAdd(tokens[i], i)) throw new DeepscopeException($"the vocabulary holds '{tokens[i]}' twice");
    }

    public IReadOnlyList<string> Tokens { get; }
    public int Count => Tokens.Count;

    public long this[string token] => _ids.GetValueOrDefault(token, UnknownId);

    public long[] Encode(IEnumerable<string> tokens) => [.. tokens.Select(t => this[t])];

    /// <summary>The vocabulary of the tokens seen at least <paramref name="minCount"/> times.</summary>
    public static Vocabulary Build(IEnumerable<IEnumerable<string>> texts, int minCount = 2)
    {
        if (minCount < 1) throw new DeepscopeException($"the minimum count must be at least 1, got {minCount}");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var token in text) counts[token] = counts.GetValueOrDefault(token) + 1;
        var kept = counts.Where(c => c.Value >= minCount && c.Key is not (Padding or Unknown or EndOfTurn))
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key);
        return new Vocabulary([Padding, Unknown, EndOfTurn, .. kept]);
    }

    /// <summary>One token per line, in id order.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, string.Join('\n', Tokens) + "\n");

    public static Vocabulary Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataFileException(path, "vocabulary file not found");
        var lines = File.ReadAllText(path).Split('\n');
        try { return new Vocabulary(lines[..^1]); }
        catch (DeepscopeException e) { throw new InvalidDataFileException(path, e.Message, e); }
    }
}
