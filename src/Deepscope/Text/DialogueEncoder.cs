using Deepscope.Models.Text;

namespace Deepscope.Text;

/// <summary>Dialogues to token ids in a model's <see cref="TurnLayout"/>, each turn cut to <see cref="TurnTokens"/> tokens.</summary>
public sealed class DialogueEncoder(Vocabulary vocabulary, TurnLayout layout, int turnTokens)
{
    public Vocabulary Vocabulary { get; } = vocabulary;
    public TurnLayout Layout { get; } = layout;
    public int TurnTokens { get; } = turnTokens >= 2 ? turnTokens : throw new DeepscopeException($"turns need at least 2 tokens, got {turnTokens}");

    /// <summary>The fixed sequence length of the layout (null: padded to each batch's longest).</summary>
    public int? FixedLength => Layout == TurnLayout.PerTurn ? EmoContextFile.Turns * TurnTokens : null;

    public static List<string>[] Tokenize(Dialogue dialogue) => [.. dialogue.Turns.Select(Tokenizer.Tokenize)];

    /// <summary>Joined: turn1 &lt;eot&gt; turn2 &lt;eot&gt; turn3; per turn: each turn, &lt;eot&gt;, padding to the turn length.</summary>
    public long[] Encode(IReadOnlyList<List<string>> turns)
    {
        var ids = new List<long>(EmoContextFile.Turns * TurnTokens);
        for (int t = 0; t < turns.Count; t++)
        {
            var kept = turns[t].Take(Layout == TurnLayout.PerTurn ? TurnTokens - 1 : TurnTokens);
            int start = ids.Count;
            ids.AddRange(Vocabulary.Encode(kept));
            if (Layout == TurnLayout.PerTurn || t < turns.Count - 1) ids.Add(Vocabulary.EndOfTurnId);
            if (Layout == TurnLayout.PerTurn) while (ids.Count < start + TurnTokens) ids.Add(Vocabulary.PaddingId);
        }
        return [.. ids];
    }
}
