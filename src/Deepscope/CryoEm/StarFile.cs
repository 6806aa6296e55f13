using System.Globalization;

namespace Deepscope.CryoEm;

/// <summary>One data block of a STAR file: its single key-value pairs and its loop table (columns without the leading underscore).</summary>
public sealed record StarBlock(string Name, IReadOnlyDictionary<string, string> Pairs, IReadOnlyList<string> Columns, IReadOnlyList<string[]> Rows)
{
    public int Column(string name) => Columns.ToList().FindIndex(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The loop's column <paramref name="name"/> as numbers; a user error naming the block when absent or not numeric.</summary>
    public double[] Numbers(string name)
    {
        int column = Column(name);
        if (column < 0) throw new DeepscopeException($"STAR block data_{Name} has no column _{name}");
        return Rows.Select((row, i) => double.TryParse(row[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
            : throw new DeepscopeException($"STAR block data_{Name}, row {i + 1}: _{name} '{row[column]}' is not a number")).ToArray();
    }
}

/// <summary>
/// A minimal reader of RELION's STAR files (RELION 3.0 single-table files and 3.1+ files with data_optics and
/// data_particles): data blocks, <c>loop_</c> tables and single <c>_name value</c> pairs, comments (#) and quoted values.
/// Save frames and nested loops (full STAR/CIF) are not supported.
/// </summary>
public static class StarFile
{
    public static IReadOnlyList<StarBlock> Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataFileException(path, "file not found");
        var blocks = new List<StarBlock>();
        string? name = null;
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var columns = new List<string>();
        var rows = new List<string[]>();
        bool inLoop = false;
        void Finish()
        {
            if (name != null) blocks.Add(new StarBlock(name, pairs, columns, rows));
            (pairs, columns, rows, inLoop) = (new(StringComparer.OrdinalIgnoreCase), new(), new(), false);
        }
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var tokens = Tokens(raw);
            if (tokens.Count == 0) continue;
            var first = tokens[0];
            if (first.StartsWith("data_", StringComparison.Ordinal))
            {
                Finish();
                name = first[5..];
            }
            else if (name == null) throw new InvalidDataFileException(path, $"line {lineNumber}: '{first}' before any data_ block");
            else if (first == "loop_")
            {
                if (columns.Count > 0) throw new InvalidDataFileException(path, $"line {lineNumber}: a second loop_ in data_{name} (one table per block)");
                inLoop = true;
            }
            else if (first.StartsWith('_'))
            {
                if (inLoop && rows.Count == 0) columns.Add(first[1..]);
                else if (tokens.Count >= 2) pairs[first[1..]] = tokens[1];
                else throw new InvalidDataFileException(path, $"line {lineNumber}: {first} has no value");
            }
            else if (inLoop && columns.Count > 0)
            {
                if (tokens.Count != columns.Count)
                    throw new InvalidDataFileException(path, $"line {lineNumber}: {tokens.Count} values for the {columns.Count} columns of data_{name}");
                rows.Add(tokens.ToArray());
            }
            else throw new InvalidDataFileException(path, $"line {lineNumber}: unexpected '{first}'");
        }
        Finish();
        return blocks;
    }

    /// <summary>The block named <paramref name="name"/> (e.g. <c>particles</c>, <c>optics</c>, or <c>""</c> for <c>data_</c>).</summary>
    public static StarBlock Block(IReadOnlyList<StarBlock> blocks, string name, string path) =>
        blocks.FirstOrDefault(b => b.Name == name)
        ?? throw new DeepscopeException($"{path}: no data_{name} block (blocks: {string.Join(", ", blocks.Select(b => "data_" + b.Name))})");

    // Whitespace-separated tokens up to a '#' comment; single or double quotes group a value with spaces.
    static List<string> Tokens(string line)
    {
        var tokens = new List<string>();
        for (int i = 0; i < line.Length;)
        {
            if (char.IsWhiteSpace(line[i])) { i++; continue; }
            if (line[i] == '#') break;
            if (line[i] is '\'' or '"')
            {
                char quote = line[i];
                int end = line.IndexOf(quote, i + 1);
                if (end < 0) end = line.Length;
                tokens.Add(line[(i + 1)..end]);
                i = end + 1;
                continue;
            }
            int start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i])) i++;
            tokens.Add(line[start..i]);
        }
        return tokens;
    }
}
