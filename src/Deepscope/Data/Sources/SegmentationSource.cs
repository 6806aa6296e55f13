using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// Images with per-pixel class masks for segmentation, from an image folder and a mask folder matched by file name
/// (<see cref="FilePairs"/>), read lazily: each <see cref="Read"/> decodes only its rows' files. Fields: <c>input</c>
/// float32 (C, H, W) in [0, 1] and <c>mask</c> int64 (H, W) holding the mask file's values (<see cref="MaskFile"/>).
/// A mask whose size differs from its image's is an error naming the mask.
/// </summary>
public sealed class SegmentationSource : IDataSource
{
    readonly ImageDecoder _images;
    readonly Func<string, Mask> _readMask;

    /// <param name="classes">Class names, index = mask value (optional: for reports).</param>
    public SegmentationSource(string imageFolder, string maskFolder, IReadOnlyList<string>? classes = null, bool? grayscale = null,
        Func<string, DecodedImage>? decode = null, Func<string, Mask>? readMask = null)
    {
        Pairs = FilePairs.Match(imageFolder, maskFolder);
        _images = new ImageDecoder(Pairs[0].First, grayscale, null, decode);
        _readMask = readMask ?? MaskFile.Read;
        Classes = classes ?? [];
        Fields = [new(Sources.Fields.Input, ScalarType.Float32, _images.Shape), new(Sources.Fields.Mask, ScalarType.Int64, _images.Shape[1..])];
    }

    /// <summary>The (image, mask) files of each example, sorted by name.</summary>
    public IReadOnlyList<(string First, string Second)> Pairs { get; }

    public long Count => Pairs.Count;
    public IReadOnlyList<FieldSpec> Fields { get; }
    public IReadOnlyList<string> Classes { get; }

    public Batch Read(ReadOnlySpan<long> indices, int epoch)
    {
        SourceRows.Check(indices, Count);
        var rows = indices.ToArray().Select(i => Pairs[(int)i]).ToList();
        return SourceRows.Collect(() => new Dictionary<string, Tensor>
        {
            [Sources.Fields.Input] = _images.Stack(rows.Select(p => p.First)),
            [Sources.Fields.Mask] = stack(rows.Select(p => MaskTensor(p.First, p.Second)).ToList()),
        });
    }

    Tensor MaskTensor(string image, string path)
    {
        var mask = _readMask(path);
        if (mask.Height != _images.Shape[1] || mask.Width != _images.Shape[2])
            throw new InvalidDataFileException(path, $"mask is {mask.Height}x{mask.Width}, its image {Path.GetFileName(image)} is {_images.Shape[1]}x{_images.Shape[2]}");
        return tensor(mask.Classes).view(mask.Height, mask.Width);
    }
}
