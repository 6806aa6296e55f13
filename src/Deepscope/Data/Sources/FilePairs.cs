namespace Deepscope.Data.Sources;

/// <summary>
/// Matches the image files of two folders by their path relative to the folder, without the extension
/// (<c>noisy/a/001.png</c> pairs with <c>clean/a/001.tif</c>); a file without its partner is an error naming it.
/// </summary>
static class FilePairs
{
    public static List<(string First, string Second)> Match(string firstFolder, string secondFolder)
    {
        var first = Index(firstFolder);
        var second = Index(secondFolder);
        if (first.Count == 0) throw new InvalidDataFileException(firstFolder, "no images found");
        foreach (var (key, path) in first)
            if (!second.ContainsKey(key)) throw new InvalidDataFileException(path, $"has no matching file in {secondFolder}");
        foreach (var (key, path) in second)
            if (!first.ContainsKey(key)) throw new InvalidDataFileException(path, $"has no matching file in {firstFolder}");
        return [.. first.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Value, second[p.Key]))];
    }

    static Dictionary<string, string> Index(string folder)
    {
        if (!Directory.Exists(folder)) throw new InvalidDataFileException(folder, "no such folder");
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(ImageFile.IsImage))
        {
            var relative = Path.GetRelativePath(folder, path);
            var key = Path.Combine(Path.GetDirectoryName(relative) ?? "", Path.GetFileNameWithoutExtension(relative));
            if (!byName.TryAdd(key, path)) throw new InvalidDataFileException(path, $"has the same name as {byName[key]} (pairs are matched by name without extension)");
        }
        return byName;
    }
}
