using static TorchSharp.torch;

namespace Deepscope.Data;

/// <summary>
/// CIFAR-10 and CIFAR-100, binary version: records of label byte(s) followed by 1024 R, 1024 G and 1024 B bytes.
/// Files are looked for in the dataset folder and in the folder the official archive unpacks to.
/// </summary>
public sealed class CifarDataset : DatasetSpec
{
    const int ImageBytes = 3 * 32 * 32;
    readonly string _archiveFolder;
    readonly string[] _trainFiles;
    readonly string _testFile;
    readonly int _labelBytes;      // 1 for CIFAR-10; 2 (coarse, fine) for CIFAR-100
    readonly string? _classNamesFile;

    CifarDataset(string name, IReadOnlyList<string> classes, RemoteFile archive, string archiveFolder,
        string[] trainFiles, string testFile, int labelBytes, string? classNamesFile) : base(name, classes, [archive])
    {
        _archiveFolder = archiveFolder;
        _trainFiles = trainFiles;
        _testFile = testFile;
        _labelBytes = labelBytes;
        _classNamesFile = classNamesFile;
    }

    public static CifarDataset Cifar10() => new("cifar10",
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
        RemoteFile.Md5("cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530", "https://www.cs.toronto.edu/~kriz/"),
        "cifar-10-batches-bin", Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray(), "test_batch.bin", 1, "batches.meta.txt")
    { Description = "CIFAR-10: small colour photographs of 10 object classes", Sizes = (50_000, 10_000), ImageShape = [3, 32, 32] };

    public static CifarDataset Cifar100() => new("cifar100", Cifar100FineClasses,
        RemoteFile.Md5("cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8", "https://www.cs.toronto.edu/~kriz/"),
        "cifar-100-binary", ["train.bin"], "test.bin", 2, "fine_label_names.txt")
    { Description = "CIFAR-100: small colour photographs of 100 fine object classes", Sizes = (50_000, 10_000), ImageShape = [3, 32, 32] };

    public override bool IsPresent(string folder) => Find(folder, _testFile) != null && Find(folder, _trainFiles[0]) != null;

    public override IReadOnlyList<string> Notes(string folder)
    {
        var missing = _trainFiles.Where(f => Find(folder, f) == null).ToArray();
        return missing.Length == 0 || missing.Length == _trainFiles.Length ? []
            : [$"training files missing: {string.Join(", ", missing)}; the train split holds only the others"];
    }

    public override LabeledImages Load(string folder, Split split)
    {
        var paths = split == Split.Test
            ? [Find(folder, _testFile) ?? throw new InvalidDataFileException(Path.Combine(folder, _testFile), "file not found")]
            : _trainFiles.Select(f => Find(folder, f)).OfType<string>().ToArray();
        if (paths.Length == 0) throw new InvalidDataFileException(Path.Combine(folder, _trainFiles[0]), "file not found");

        var parts = paths.Select(ReadRecords).ToList();
        try
        {
            var images = parts.Count == 1 ? parts[0].Images : cat(parts.Select(p => p.Images).ToArray());
            var labels = parts.Count == 1 ? parts[0].Labels : cat(parts.Select(p => p.Labels).ToArray());
            if (parts.Count > 1) parts.ForEach(p => { p.Images.Dispose(); p.Labels.Dispose(); });
            return new LabeledImages(images, labels, ReadClassNames(folder), paths[0]);
        }
        catch
        {
            parts.ForEach(p => { p.Images.Dispose(); p.Labels.Dispose(); });
            throw;
        }
    }

    (Tensor Images, Tensor Labels) ReadRecords(string path)
    {
        int record = _labelBytes + ImageBytes;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0 || bytes.Length % record != 0)
            throw new InvalidDataFileException(path, $"size {bytes.Length} bytes is not a whole number of {record}-byte CIFAR records (truncated or not a {Name} file)");
        using var scope = NewDisposeScope();
        var table = tensor(bytes, ScalarType.Byte).view(-1, record);
        var labels = table[.., _labelBytes - 1].to_type(ScalarType.Int64);
        long maxLabel = labels.max().item<long>();
        if (maxLabel >= Classes.Count)
            throw new InvalidDataFileException(path, $"label {maxLabel} out of range for {Classes.Count} classes (not a {Name} file?)");
        var images = table[.., _labelBytes..].reshape(-1, 3, 32, 32).contiguous();
        return (images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    IReadOnlyList<string> ReadClassNames(string folder)
    {
        var path = _classNamesFile == null ? null : Find(folder, _classNamesFile);
        if (path == null) return Classes;
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        return names.Length == Classes.Count ? names : Classes;
    }

    string? Find(string folder, string file) =>
        new[] { Path.Combine(folder, file), Path.Combine(folder, _archiveFolder, file) }.FirstOrDefault(File.Exists);

    static readonly string[] Cifar100FineClasses =
    [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle", "bowl", "boy",
        "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle", "chair", "chimpanzee", "clock",
        "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest",
        "fox", "girl", "hamster", "house", "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion", "lizard",
        "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse", "mushroom", "oak_tree", "orange", "orchid",
        "otter", "palm_tree", "pear", "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine", "possum",
        "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper",
        "snail", "snake", "spider", "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone",
        "television", "tiger", "tractor", "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf",
        "woman", "worm",
    ];
}
