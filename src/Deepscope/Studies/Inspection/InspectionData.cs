using System.Globalization;
using Deepscope.Data;
using Deepscope.Numerics;

namespace Deepscope.Studies.Inspection;

/// <summary>
/// The labelled training images of an inspection task (a folder of two class subfolders, or a CSV of path,label), with
/// binary labels: 1 for the positive (bad) class, 0 for the other.
/// </summary>
public sealed record InspectionData(string Source, IReadOnlyList<string> Files, int[] Labels, IReadOnlyList<string> Classes, int PositiveIndex)
{
    public static InspectionData Load(string source, string positiveClass)
    {
        var (files, labels, classes) = ImageFolder.List(source);
        if (classes.Count != 2)
            throw new InvalidDataFileException(source, $"expected two classes (good and bad), found {classes.Count}: {string.Join(", ", classes)}");
        int positive = classes.ToList().IndexOf(positiveClass);
        if (positive < 0) throw new InvalidDataFileException(source, $"no class '{positiveClass}' (the positive class); classes are {string.Join(", ", classes)}");
        return new InspectionData(source, files, [.. labels.Select(l => l == positive ? 1 : 0)], classes, positive);
    }

    /// <summary>
    /// A fold index in [0, k) for every example, stratified: each class is shuffled with a generator seeded by
    /// <paramref name="seed"/> and dealt round-robin, so every fold has the classes' proportions to within one example.
    /// </summary>
    public static int[] StratifiedFolds(IReadOnlyList<int> labels, int k, long seed)
    {
        if (k < 2) throw new DeepscopeException($"folds must be at least 2, got {k}");
        if (labels.Count < k) throw new DeepscopeException($"{labels.Count} examples cannot fill {k} folds");
        var folds = new int[labels.Count];
        var random = new Random(unchecked((int)SplitMix64.Derive((ulong)seed, 0xF01D)));
        int dealt = 0;
        foreach (var group in labels.Select((label, i) => (label, i)).GroupBy(p => p.label).OrderBy(g => g.Key))
        {
            var members = group.Select(p => p.i).ToArray();
            random.Shuffle(members);
            // Continue the deal where the previous class stopped, so small classes do not all start at fold 0.
            foreach (var i in members) folds[i] = dealt++ % k;
        }
        return folds;
    }

    /// <summary>Rows of (train, validation) for a stratified hold-out of about <paramref name="fraction"/>.</summary>
    public static (long[] Train, long[] Validation) HoldOut(IReadOnlyList<int> labels, double fraction, long seed) =>
        Split(HoldOutFolds(labels, fraction, seed), 0);

    /// <summary>Stratified folds of about <paramref name="fraction"/> of the examples each; fold 0 is the hold-out.</summary>
    public static int[] HoldOutFolds(IReadOnlyList<int> labels, double fraction, long seed)
    {
        if (fraction is <= 0 or >= 1) throw new DeepscopeException($"the validation fraction must be in (0, 1), got {fraction}");
        return StratifiedFolds(labels, Math.Max(2, (int)Math.Round(1 / fraction)), seed);
    }

    /// <summary>Rows outside and inside fold <paramref name="fold"/>.</summary>
    public static (long[] Train, long[] Validation) Split(int[] folds, int fold) =>
        ([.. Enumerable.Range(0, folds.Length).Where(i => folds[i] != fold).Select(i => (long)i)],
         [.. Enumerable.Range(0, folds.Length).Where(i => folds[i] == fold).Select(i => (long)i)]);

    /// <summary>The image files of an unlabelled folder, sorted by name (ordinal), with their ids (file names without extension).</summary>
    public static IReadOnlyList<(string Id, string Path)> ListTest(string folder)
    {
        if (!Directory.Exists(folder)) throw new InvalidDataFileException(folder, "no such test folder");
        var files = Directory.EnumerateFiles(folder).Where(ImageFile.IsImage).Order(StringComparer.Ordinal)
            .Select(f => (Id: Path.GetFileNameWithoutExtension(f), Path: f)).ToList();
        if (files.Count == 0) throw new InvalidDataFileException(folder, "no images in the test folder");
        var twice = files.GroupBy(f => f.Id).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new InvalidDataFileException(folder, $"two images share the id '{twice.Key}' ({string.Join(", ", twice.Select(f => Path.GetFileName(f.Path)))})");
        return files;
    }

    /// <summary>Reads a CSV of <c>id,label</c> (header optional; label 1 = positive).</summary>
    public static Dictionary<string, int> ReadLabels(string csv)
    {
        if (!File.Exists(csv)) throw new InvalidDataFileException(csv, "no such labels file");
        var labels = new Dictionary<string, int>();
        var lines = File.ReadAllLines(csv);
        for (int n = 0; n < lines.Length; n++)
        {
            var cells = lines[n].Split(',', StringSplitOptions.TrimEntries);
            if (cells.Length == 1 && cells[0].Length == 0) continue;
            if (n == 0 && cells[0].Equals("id", StringComparison.OrdinalIgnoreCase)) continue;
            if (cells.Length != 2 || !int.TryParse(cells[1], NumberStyles.None, CultureInfo.InvariantCulture, out var label) || label > 1)
                throw new InvalidDataFileException(csv, $"line {n + 1}: expected 'id,label' with label 0 or 1, got '{lines[n]}'");
            if (!labels.TryAdd(cells[0], label)) throw new InvalidDataFileException(csv, $"line {n + 1}: id '{cells[0]}' given twice");
        }
        return labels;
    }
}
