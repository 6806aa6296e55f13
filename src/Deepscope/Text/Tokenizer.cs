using System.Text;
using System.Text.RegularExpressions;

namespace Deepscope.Text;

/// <summary>
/// The tokenizer of chat text: emoticons (<c>:)</c>, <c>:-(</c>, <c>:'(</c>, <c>&lt;3</c>, <c>-_-</c>, <c>^_^</c>) and
/// emoji (one token each, skin tones and variation selectors dropped) are tokens; words are lower-cased, letters
/// repeated three or more times are cut to two (<c>whaaaat</c> to <c>whaat</c>, so the elongated forms share a
/// token), runs of <c>!</c> and <c>?</c> become their distinct marks (<c>!!!</c> to <c>!</c>, <c>?!?!</c> to <c>?!</c>)
/// and runs of dots an ellipsis. Any other mark is a token of its own.
/// </summary>
public static partial class Tokenizer
{
    // Eyes first (":)", ";-P", ":'(", "=D", "xD"), not after a digit so times like 10:30 stay numbers; mouth first
    // ("(:", "):"); hearts; and the Asian-style faces seen in the corpus.
    const string Emoticon = @"(?<![\p{N}])[:;=][-'^o]?[)(\]\[dDpP/\\|*@oO3$]+(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])[xX][dDpP]+(?![\p{L}\p{N}])"
        + @"|(?<![\p{L}\p{N}])[)(][-']?[:;=](?![\p{L}\p{N}])|</?3+|\^_*\^|-_+-|[tT]_[tT]|[oO]_[oO]|:'\(";
    const string Emoji = @"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\u2190-\u21FF\u3030\u303D\u00A9\u00AE\u2122])"
        + @"(?:\uFE0F|\uD83C[\uDFFB-\uDFFF])*(?:\u200D(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[\u2600-\u27BF])\uFE0F?)*";
    const string Word = @"[\p{L}\p{M}\p{N}_]+(?:['’][\p{L}\p{M}]+)*";
    const string Marks = @"[!?]+|\.{2,}|…|\S";

    [GeneratedRegex($"{Emoticon}|(?<emoji>{Emoji})|(?<word>{Word})|(?<marks>{Marks})", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"(\p{L})\1{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex Elongation();

    /// <summary>The normalised tokens of one text, in order.</summary>
    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        foreach (Match m in TokenPattern().Matches(text))
        {
            if (m.Groups["word"].Success) tokens.Add(Elongation().Replace(m.Value.ToLowerInvariant().Replace('’', '\''), "$1$1"));
            else if (m.Groups["emoji"].Success) tokens.Add(NormaliseEmoji(m.Value));
            else if (m.Groups["marks"].Success) tokens.Add(NormaliseMarks(m.Value));
            else tokens.Add(m.Value.Length > 1 && char.IsLetter(m.Value[^1]) ? m.Value.ToUpperInvariant() : m.Value);  // ":d" and ":D" alike
        }
        return tokens;
    }

    /// <summary>An emoji without its variation selectors and skin-tone modifiers (ZWJ sequences kept).</summary>
    static string NormaliseEmoji(string emoji)
    {
        var text = new StringBuilder(emoji.Length);
        for (int i = 0; i < emoji.Length; i++)
        {
            if (emoji[i] == '\uFE0F') continue;
            if (emoji[i] == '\uD83C' && i + 1 < emoji.Length && emoji[i + 1] is >= '\uDFFB' and <= '\uDFFF') { i++; continue; }
            text.Append(emoji[i]);
        }
        return text.ToString();
    }

    static string NormaliseMarks(string marks)
    {
        if (marks.Length > 1 && marks[0] == '.' || marks == "…") return "...";
        if (marks.Length == 1) return marks;
        return new string([.. marks.Distinct()]);
    }
}
