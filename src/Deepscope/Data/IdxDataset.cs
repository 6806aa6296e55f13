using static TorchSharp.torch;

namespace Deepscope.Data;

/// <summary>MNIST-like datasets: four IDX files, 28x28 grayscale, <c>.gz</c> or uncompressed.</summary>
public sealed class IdxDataset(string name, IReadOnlyList<string> classes, string[] md5s, params string[] baseUrls)
    : DatasetSpec(name, classes, FileNames.Select((f, i) => RemoteFile.Md5(f + ".gz", md5s[i], baseUrls)).ToArray())
{
    static readonly string[] FileNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    public override bool IsPresent(string folder) => FileNames.All(f => Find(folder, f) != null);

    public override LabeledImages Load(string folder, Split split)
    {
        var prefix = split == Split.Train ? "train" : "t10k";
        var imagesPath = Require(folder, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Require(folder, $"{prefix}-labels-idx1-ubyte");
        var images = Idx.Read(imagesPath, 3);
        Tensor? labels = null;
        try
        {
            using var rawLabels = Idx.Read(labelsPath, 1);
            if (rawLabels.shape[0] != images.shape[0])
                throw new InvalidDataFileException(labelsPath, $"holds {rawLabels.shape[0]} labels but {Path.GetFileName(imagesPath)} holds {images.shape[0]} images");
            labels = rawLabels.to_type(ScalarType.Int64);
            if (labels.shape[0] > 0 && labels.max().item<long>() >= Classes.Count)
                throw new InvalidDataFileException(labelsPath, $"label {labels.max().item<long>()} out of range for {Classes.Count} classes");
            return new LabeledImages(images.unsqueeze_(1), labels, Classes, imagesPath);
        }
        catch
        {
            images.Dispose();
            labels?.Dispose();
            throw;
        }
    }

    static string? Find(string folder, string name) =>
        new[] { name + ".gz", name }.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists);

    static string Require(string folder, string name) =>
        Find(folder, name) ?? throw new InvalidDataFileException(Path.Combine(folder, name + ".gz"), "file not found");
}
