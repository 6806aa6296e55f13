using System.Globalization;
using System.Text.RegularExpressions;
using Deepscope.Data;

namespace Deepscope.Studies.Authentication;

/// <summary>A painting of the folder: its number, file, label, and what is known of its resolution.</summary>
/// <param name="PixelsPerMm">From the labels CSV's <c>pixels_per_mm</c> column.</param>
/// <param name="WidthMm">From a size in the file name (<c>12 (210x160mm).jpg</c>), giving pixels per mm once the width in pixels is read.</param>
/// <param name="Truth">The known answer of a disputed painting (synthetic data), else null.</param>
public sealed record Painting(int Id, string Path, string Label, double? PixelsPerMm, double? WidthMm, string? Truth)
{
    public const string Raphael = "raphael", NotRaphael = "not-raphael", Disputed = "disputed";

    public bool IsLabelled => Label != Disputed;
    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>Resampling factor to <paramref name="target"/> pixels per mm for an image <paramref name="widthPixels"/> wide (1 without a target).</summary>
    public double Scale(double? target, int widthPixels)
    {
        if (target is not { } t) return 1;
        double? source = PixelsPerMm ?? (WidthMm is { } mm ? widthPixels / mm : null);
        return source is { } s ? t / s
            : throw new DeepscopeException($"{Path}: resolution unknown (give pixels_per_mm in the labels CSV or the size in the file name, as '12 (210x160mm).tif')");
    }
}

/// <summary>
/// Reads a folder of paintings as the course's Raphael folder is laid out: each file name starts with the painting's
/// number; names whose stem ends in a letter (<c>5b.jpg</c>, details and variants) are skipped; a labels CSV
/// (<c>id,label</c>, optionally <c>pixels_per_mm</c>) says which are Raphael's, which not, which are disputed.
/// </summary>
public static partial class PaintingFolder
{
    public static IReadOnlyList<Painting> Read(string folder, string labelsFile, string? truthFile = null)
    {
        if (!Directory.Exists(folder)) throw new DeepscopeException($"{folder}: paintings folder not found");
        var labelsPath = Path.Combine(folder, labelsFile);
        var rows = ReadCsv(labelsPath, "id", "label");
        var truth = truthFile is null ? null : ReadCsv(Path.Combine(folder, truthFile), "id", "truth").ToDictionary(r => Id(r, Path.Combine(folder, truthFile)), r => r["truth"]);
        var files = new Dictionary<int, string>();
        foreach (var path in Directory.EnumerateFiles(folder).Where(ImageFile.IsImage).Order(StringComparer.Ordinal))
        {
            var stem = Path.GetFileNameWithoutExtension(path);
            var number = LeadingNumber().Match(stem);
            if (!number.Success || char.IsLetter(stem[^1])) continue;
            int id = int.Parse(number.Value, CultureInfo.InvariantCulture);
            if (!files.TryAdd(id, path)) throw new DeepscopeException($"{folder}: two files for painting {id}: {Path.GetFileName(files[id])} and {Path.GetFileName(path)}");
        }
        var paintings = new List<Painting>();
        foreach (var row in rows)
        {
            int id = Id(row, labelsPath);
            var label = row["label"].Trim().ToLowerInvariant();
            if (label is not (Painting.Raphael or Painting.NotRaphael or Painting.Disputed))
                throw new InvalidDataFileException(labelsPath, $"painting {id}: label '{row["label"]}' is not raphael, not-raphael or disputed");
            if (!files.TryGetValue(id, out var path)) throw new InvalidDataFileException(labelsPath, $"painting {id} has no image in {folder} (names start with the number)");
            double? ppmm = row.TryGetValue("pixels_per_mm", out var text) && text.Length > 0 ? double.Parse(text, CultureInfo.InvariantCulture) : null;
            var size = SizeInName().Match(Path.GetFileNameWithoutExtension(path));
            double? widthMm = size.Success ? double.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture) * (size.Groups[3].Value == "cm" ? 10 : 1) : null;
            paintings.Add(new Painting(id, path, label, ppmm, widthMm, truth?.GetValueOrDefault(id)));
        }
        if (paintings.Count(p => p.Label == Painting.Raphael) == 0 || paintings.Count(p => p.Label == Painting.NotRaphael) == 0)
            throw new InvalidDataFileException(labelsPath, "needs paintings of both labels, raphael and not-raphael");
        return paintings.OrderBy(p => p.Id).ToList();
    }

    static int Id(IReadOnlyDictionary<string, string> row, string path) =>
        int.TryParse(row["id"], NumberStyles.Integer, CultureInfo.InvariantCulture, out int id) ? id
            : throw new InvalidDataFileException(path, $"id '{row["id"]}' is not a number");

    /// <summary>Rows of a small CSV with a header (no quoted commas), checked for the required columns.</summary>
    static List<Dictionary<string, string>> ReadCsv(string path, params string[] required)
    {
        if (!File.Exists(path)) throw new InvalidDataFileException(path, "file not found");
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToList();
        var header = lines.FirstOrDefault()?.Split(',').Select(h => h.Trim().ToLowerInvariant()).ToArray() ?? [];
        foreach (var column in required)
            if (!header.Contains(column)) throw new InvalidDataFileException(path, $"no '{column}' column (the header is '{string.Join(",", header)}')");
        var rows = new List<Dictionary<string, string>>();
        for (int i = 1; i < lines.Count; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != header.Length) throw new InvalidDataFileException(path, $"line {i + 1} has {cells.Length} cells, the header {header.Length}");
            rows.Add(header.Zip(cells, (h, c) => (h, c.Trim())).ToDictionary(p => p.h, p => p.Item2));
        }
        return rows;
    }

    [GeneratedRegex(@"^\d+")]
    private static partial Regex LeadingNumber();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(mm|cm)", RegexOptions.IgnoreCase)]
    private static partial Regex SizeInName();
}
