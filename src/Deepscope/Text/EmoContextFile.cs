using System.Text;
using Deepscope.IO;

namespace Deepscope.Text;

/// <summary>One dialogue of EmoContext: its id, its three turns and, in labelled files, the emotion of the last turn.</summary>
public sealed record Dialogue(string Id, IReadOnlyList<string> Turns, string? Label);

/// <summary>
/// An EmoContext file (SemEval-2019 Task 3): a header line, then <c>id turn1 turn2 turn3 [label]</c> tab-separated,
/// with CRLF or LF line ends and possibly no final newline. Unlabelled files (the test set) have four columns.
/// </summary>
public sealed record EmoContextFile(string Path, IReadOnlyList<string> Header, IReadOnlyList<Dialogue> Dialogues)
{
    /// <summary>The official class order (the task's label2emotion): <c>others</c> first, the class the metric leaves out.</summary>
    public static IReadOnlyList<string> Classes { get; } = ["others", "happy", "sad", "angry"];
    public const int OthersClass = 0;
    public const int Turns = 3;

    public bool HasLabels => Header.Count == 5;

    /// <summary>Class indices of the labels (in <see cref="Classes"/>); an error when the file has none.</summary>
    public long[] LabelIndices() => HasLabels
        ? [.. Dialogues.Select(d => (long)IndexOf(d.Label!))]
        : throw new InvalidDataFileException(Path, "has no label column (id, turn1, turn2, turn3, label)");

    static int IndexOf(string label)
    {
        for (int i = 0; i < Classes.Count; i++) if (Classes[i] == label) return i;
        return -1;
    }

    /// <summary>
    /// Reads a file. The first line is the header (4 or 5 columns); a row with more columns than the header has a tab
    /// inside its first turn (a quirk of the starter kit) and those columns are joined by a space. Rows with fewer
    /// columns, empty ids or unknown labels are errors naming the file and line.
    /// </summary>
    public static EmoContextFile Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataFileException(path, "file not found");
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        var dialogues = new List<Dialogue>();
        string[]? header = null;
        int lineNumber = 0;
        try
        {
            // ReadLine splits on LF, CRLF or CR and returns a last line without a newline too.
            for (string? line; (line = reader.ReadLine()) is not null;)
            {
                lineNumber++;
                if (line.Length == 0) continue;
                var columns = line.Split('\t');
                if (header is null)
                {
                    header = [.. columns.Select(c => c.Trim())];
                    if (header.Length is not (4 or 5) || !header[0].Equals("id", StringComparison.OrdinalIgnoreCase))
                        throw Problem(path, lineNumber, $"the header must be 'id turn1 turn2 turn3 [label]' (tab-separated), got {header.Length} columns starting '{header[0]}'");
                    continue;
                }
                dialogues.Add(Parse(columns, header.Length, path, lineNumber));
            }
        }
        catch (DecoderFallbackException e)
        {
            throw Problem(path, lineNumber + 1, "is not valid UTF-8", e);
        }
        if (header is null) throw new InvalidDataFileException(path, "is empty (no header line)");
        if (dialogues.Count == 0) throw new InvalidDataFileException(path, "has a header but no dialogues");
        return new EmoContextFile(path, header, dialogues);
    }

    static Dialogue Parse(string[] columns, int expected, string path, int line)
    {
        if (columns.Length < expected)
            throw Problem(path, line, $"has {columns.Length} tab-separated columns, expected {expected} (id, turn1, turn2, turn3{(expected == 5 ? ", label" : "")})");
        int extra = columns.Length - expected;
        var id = columns[0].Trim();
        if (id.Length == 0) throw Problem(path, line, "has an empty id");
        string[] turns = [string.Join(' ', columns[1..(2 + extra)]), columns[2 + extra], columns[3 + extra]];
        string? label = null;
        if (expected == 5)
        {
            label = columns[^1].Trim().ToLowerInvariant();
            if (IndexOf(label) < 0) throw Problem(path, line, $"has label '{columns[^1].Trim()}', expected one of {string.Join(", ", Classes)}");
        }
        return new Dialogue(id, turns, label);
    }

    static InvalidDataFileException Problem(string path, int line, string problem, Exception? inner = null) => new(path, $"line {line} {problem}", inner);

    /// <summary>
    /// Writes the official submission format: this file's columns and rows (the header kept) with the predicted label
    /// as the last column (replacing a label column), tab-separated, LF line ends.
    /// </summary>
    public void WriteWithLabels(string path, IReadOnlyList<string> predicted)
    {
        if (predicted.Count != Dialogues.Count) throw new ArgumentException($"{predicted.Count} predictions for {Dialogues.Count} dialogues");
        var text = new StringBuilder();
        text.Append(string.Join('\t', Header.Take(4).Append("label"))).Append('\n');
        for (int i = 0; i < Dialogues.Count; i++)
        {
            var d = Dialogues[i];
            text.Append(d.Id).Append('\t').Append(string.Join('\t', d.Turns)).Append('\t').Append(predicted[i]).Append('\n');
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }
}
