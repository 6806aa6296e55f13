using Deepscope.Catalogs;

namespace Deepscope.Data;

/// <summary>How much of a dataset to use: the first images of each split (all when null).</summary>
public sealed record DatasetOptions
{
    [Param(Min = 1, Description = "first images of the train split to use (none: all)")]
    public int? TrainSubset { get; init; }
    [Param(Min = 1, Description = "first images of the test split to use (none: all)")]
    public int? TestSubset { get; init; }
}

/// <summary>The public datasets Deepscope knows by name, with their official sources.</summary>
public static class Datasets
{
    static readonly string[] Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    static readonly (int, int) Idx = (60_000, 10_000);
    static readonly int[] Gray28 = [1, 28, 28];

    public static IReadOnlyList<DatasetSpec> All { get; } =
    [
        new IdxDataset("mnist", Digits,
            ["f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432", "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"],
            "https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
            { Description = "MNIST: handwritten digits", Sizes = Idx, ImageShape = Gray28 },
        new IdxDataset("fashion-mnist",
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
            ["8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe", "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"],
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")
            { Description = "Fashion-MNIST: Zalando clothing articles", Sizes = Idx, ImageShape = Gray28 },
        new IdxDataset("kmnist", ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"],
            ["bdb82020997e1d708af4cf47b453dcf7", "e144d726b3acfaa3e44228e80efcd344", "5c965bf0a639b31b8f53240b1b52f4d7", "7320c461ea6c1c855c0b718fb2a4b134"],
            "http://codh.rois.ac.jp/kmnist/dataset/kmnist/")
            { Description = "Kuzushiji-MNIST: cursive Japanese hiragana", Sizes = Idx, ImageShape = Gray28 },
        CifarDataset.Cifar10(),
        CifarDataset.Cifar100(),
    ];

    public static IEnumerable<string> Names => All.Select(d => d.Name);

    /// <summary>The datasets as a catalog; the options are the subsets an experiment takes of each split.</summary>
    public static Catalog<DatasetSpec> Catalog { get; } = All.Aggregate(new Catalog<DatasetSpec>("dataset"),
        (catalog, spec) => catalog.Add(spec.Name, spec.Description, () => new DatasetOptions(), _ => spec, () => spec.Facts));

    public static DatasetSpec Get(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new DeepscopeException($"unknown dataset '{name}' (known: {string.Join(", ", Names)})");
}

/// <summary>
/// Loads named datasets from a data directory (<c>&lt;dir&gt;/&lt;name&gt;/…</c>), downloading what is missing when
/// allowed. <paramref name="mirrors"/> are base URLs tried before the official ones (<c>&lt;mirror&gt;/&lt;file&gt;</c>).
/// </summary>
public sealed class DatasetStore(string root, bool allowDownload = true, IProgressReporter? progress = null,
    IReadOnlyList<string>? mirrors = null, HttpClient? http = null)
{
    public string Root { get; } = root;

    public string FolderOf(DatasetSpec spec) => Path.Combine(Root, spec.Name);

    public LabeledImages Load(string name, Split split) => Load(Datasets.Get(name), split);

    public LabeledImages Load(DatasetSpec spec, Split split)
    {
        EnsurePresent(spec);
        return spec.Load(FolderOf(spec), split);
    }

    /// <summary>Downloads the dataset unless its files are already in the data directory.</summary>
    public void EnsurePresent(DatasetSpec spec)
    {
        var folder = FolderOf(spec);
        if (spec.IsPresent(folder)) return;
        if (!allowDownload)
            throw new DeepscopeException($"{folder}: {spec.Name} not found; run `deepscope data download {spec.Name}` or pass --data-dir");
        Download(spec);
    }

    public void Download(DatasetSpec spec)
    {
        var client = http ?? SharedHttp.Value;
        var downloader = new Downloader(client, progress);
        foreach (var file in spec.Downloads)
            downloader.FetchAsync(file, FolderOf(spec), mirrors?.Select(m => m.TrimEnd('/') + "/" + spec.Name)).GetAwaiter().GetResult();
        if (!spec.IsPresent(FolderOf(spec)))
            throw new DeepscopeException($"{FolderOf(spec)}: downloaded {spec.Name} but its files are still incomplete");
    }

    static readonly Lazy<HttpClient> SharedHttp = new(() =>
    {
        var client = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("deepscope/" + typeof(DatasetStore).Assembly.GetName().Version);
        return client;
    });
}
