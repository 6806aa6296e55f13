using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// A labelled image folder (class subfolders, or a CSV of <c>path,label</c>, as <see cref="ImageFolder"/>) read lazily:
/// only the file list is kept, and each <see cref="Read"/> decodes just the files of its rows, so a folder larger than
/// memory trains batch by batch. Fields: <c>input</c> float32 (C, H, W) in [0, 1] and <c>label</c> int64. Decoding is
/// <see cref="ImageFile.Read"/> (8/16-bit PNG, JPEG, BMP, TIFF) unless <paramref name="decode"/> replaces it.
/// </summary>
public sealed class ImageFolderSource : IDataSource
{
    readonly ImageDecoder _decoder;
    readonly long[] _labels;

    /// <param name="grayscale">true: luma; false: RGB; null: the first image's channel count.</param>
    /// <param name="resize">Resize every image to resize x resize (bilinear, antialiased); without it all images must share the first one's size.</param>
    public ImageFolderSource(string source, bool? grayscale = null, int? resize = null, Func<string, DecodedImage>? decode = null)
    {
        var (files, labels, classes) = ImageFolder.List(source);
        Paths = files;
        _labels = [.. labels];
        Classes = classes;
        _decoder = new ImageDecoder(files[0], grayscale, resize, decode);
        Fields = [new(Sources.Fields.Input, ScalarType.Float32, _decoder.Shape), new(Sources.Fields.Label, ScalarType.Int64, [])];
    }

    /// <summary>The image file of each example.</summary>
    public IReadOnlyList<string> Paths { get; }

    public long Count => Paths.Count;
    public IReadOnlyList<FieldSpec> Fields { get; }
    public IReadOnlyList<string> Classes { get; }

    public Batch Read(ReadOnlySpan<long> indices, int epoch)
    {
        SourceRows.Check(indices, Count);
        var rows = indices.ToArray();
        return SourceRows.Collect(() => new Dictionary<string, Tensor>
        {
            [Sources.Fields.Input] = _decoder.Stack(rows.Select(i => Paths[(int)i])),
            [Sources.Fields.Label] = tensor(rows.Select(i => _labels[i]).ToArray()),
        });
    }
}
