using System.Globalization;
using static TorchSharp.torch;

namespace Deepscope.Data;

/// <summary>How an image folder becomes a tensor dataset.</summary>
/// <param name="Grayscale">true: convert colour to luma (ITU-R 601); false: replicate gray to RGB; null: keep gray if every image is gray.</param>
/// <param name="Resize">Resize every image (or patch) to Resize x Resize, bilinear with antialiasing.</param>
/// <param name="TileSize">Cut each image into TileSize x TileSize patches (edge remainders dropped); groups name the source image.</param>
/// <param name="TileStride">Step between patches; defaults to TileSize (no overlap).</param>
public sealed record ImageFolderOptions(bool? Grayscale = null, int? Resize = null, int? TileSize = null, int? TileStride = null)
{
    internal void Validate()
    {
        if (Resize is <= 0) throw new DeepscopeException($"resize must be positive, got {Resize}");
        if (TileSize is <= 0) throw new DeepscopeException($"tile size must be positive, got {TileSize}");
        if (TileStride is <= 0) throw new DeepscopeException($"tile stride must be positive, got {TileStride}");
        if (TileStride != null && TileSize == null) throw new DeepscopeException("tile stride needs a tile size");
    }
}

/// <summary>
/// Images on disk with labels: a folder with one subfolder per class (classes sorted by name, as torchvision's
/// ImageFolder), or a CSV of <c>path,label</c> rows (paths relative to the CSV; optional header).
/// Gives float32 images in [0, 1].
/// </summary>
public static class ImageFolder
{
    public static LabeledImages Load(string source, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        options.Validate();
        var (files, labels, classes) = List(source);

        var decoded = files.Select(ImageFile.Read).ToList();
        int channels = options.Grayscale switch { true => 1, false => 3, null => decoded.Max(d => d.Channels) };
        var images = new List<Tensor>();
        var sampleLabels = new List<long>();
        var groups = new List<long>();
        using var scope = NewDisposeScope();
        for (int i = 0; i < decoded.Count; i++)
        {
            var image = ToChannels(decoded[i], channels);
            foreach (var patch in Patches(image, options, files[i]))
            {
                images.Add(options.Resize is { } size ? ResizeBilinear(patch, size) : patch);
                sampleLabels.Add(labels[i]);
                groups.Add(i);
            }
        }
        var shapes = images.Select(t => $"{t.shape[1]}x{t.shape[2]}").Distinct().ToArray();
        if (shapes.Length > 1)
            throw new InvalidDataFileException(source, $"images differ in size ({string.Join(", ", shapes.Take(4))}{(shapes.Length > 4 ? ", …" : "")}); use a resize or tiling option");
        var batch = stack(images).MoveToOuterDisposeScope();
        return new LabeledImages(batch, tensor(sampleLabels.ToArray()).MoveToOuterDisposeScope(), classes, source,
            tensor(groups.ToArray()).MoveToOuterDisposeScope());
    }

    /// <summary>The image files of a class-folder tree or a CSV, with their labels and the class names.</summary>
    internal static (List<string> Files, List<long> Labels, IReadOnlyList<string> Classes) List(string source)
    {
        var listed = File.Exists(source) ? ListCsv(source) : ListFolders(source);
        if (listed.Files.Count == 0) throw new InvalidDataFileException(source, "no images found (expected class subfolders or a CSV of path,label)");
        return listed;
    }

    static (List<string> Files, List<long> Labels, IReadOnlyList<string> Classes) ListFolders(string root)
    {
        if (!Directory.Exists(root)) throw new InvalidDataFileException(root, "no such folder or CSV file");
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
            .Where(d => !d.StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0) throw new InvalidDataFileException(root, "no class subfolders found");
        var files = new List<string>();
        var labels = new List<long>();
        for (int c = 0; c < classes.Length; c++)
            foreach (var f in Directory.EnumerateFiles(Path.Combine(root, classes[c]), "*", SearchOption.AllDirectories)
                         .Where(ImageFile.IsImage).Order(StringComparer.Ordinal))
            {
                files.Add(f);
                labels.Add(c);
            }
        return (files, labels, classes);
    }

    static (List<string> Files, List<long> Labels, IReadOnlyList<string> Classes) ListCsv(string csv)
    {
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(csv))!;
        var rows = new List<(string Path, string Label)>();
        var lines = File.ReadAllLines(csv);
        for (int n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length < 2) throw new InvalidDataFileException(csv, $"line {n + 1}: expected 'path,label', got '{line}'");
            if (n == 0 && cells[0].Trim().Equals("path", StringComparison.OrdinalIgnoreCase)) continue;
            rows.Add((Path.Combine(baseDir, cells[0].Trim()), cells[1].Trim()));
        }
        // Integer labels keep their numbers; names are sorted like folder classes.
        bool numeric = rows.All(r => int.TryParse(r.Label, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        var classes = numeric
            ? Enumerable.Range(0, rows.Count == 0 ? 0 : rows.Max(r => int.Parse(r.Label, CultureInfo.InvariantCulture)) + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray()
            : rows.Select(r => r.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (long)p.i);
        return (rows.Select(r => r.Path).ToList(),
            rows.Select(r => numeric ? long.Parse(r.Label, CultureInfo.InvariantCulture) : index[r.Label]).ToList(), classes);
    }

    internal static Tensor ToChannels(DecodedImage image, int channels)
    {
        var t = tensor(image.Pixels).view(image.Channels, image.Height, image.Width);
        if (image.Channels == channels) return t;
        if (channels == 3) return t.expand(3, -1, -1).contiguous();
        using var weights = tensor(new[] { 0.299f, 0.587f, 0.114f }).view(3, 1, 1);
        return (t * weights).sum(0, keepdim: true);
    }

    static IEnumerable<Tensor> Patches(Tensor image, ImageFolderOptions options, string file)
    {
        if (options.TileSize is not { } size) { yield return image; yield break; }
        int stride = options.TileStride ?? size;
        long h = image.shape[1], w = image.shape[2];
        if (h < size || w < size) throw new InvalidDataFileException(file, $"image of {h}x{w} is smaller than the {size}x{size} tile");
        for (long y = 0; y + size <= h; y += stride)
            for (long x = 0; x + size <= w; x += stride)
                yield return image.narrow(1, y, size).narrow(2, x, size);
    }

    internal static Tensor ResizeBilinear(Tensor chw, int size) =>
        nn.functional.interpolate(chw.unsqueeze(0), [size, size], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true).squeeze(0);
}
