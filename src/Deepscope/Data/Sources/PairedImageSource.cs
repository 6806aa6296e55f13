using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// Image pairs for image-to-image models (noisy/clean, low/high resolution) from two folders matched by file name
/// (see <see cref="FilePairs"/>), read lazily: each <see cref="Read"/> decodes only its rows' files. Fields:
/// <c>input</c> and <c>target</c>, float32 (C, H, W) in [0, 1]; each folder's images share one size (the two folders'
/// sizes may differ, as for super-resolution). In-memory pairs are a <see cref="TensorSource"/> with those two fields.
/// </summary>
public sealed class PairedImageSource : IDataSource
{
    readonly ImageDecoder _inputs, _targets;

    public PairedImageSource(string inputFolder, string targetFolder, bool? grayscale = null, Func<string, DecodedImage>? decode = null)
    {
        Pairs = FilePairs.Match(inputFolder, targetFolder);
        _inputs = new ImageDecoder(Pairs[0].First, grayscale, null, decode);
        _targets = new ImageDecoder(Pairs[0].Second, grayscale, null, decode);
        Fields = [new(Sources.Fields.Input, ScalarType.Float32, _inputs.Shape), new(Sources.Fields.Target, ScalarType.Float32, _targets.Shape)];
    }

    /// <summary>The (input, target) files of each example, sorted by name.</summary>
    public IReadOnlyList<(string First, string Second)> Pairs { get; }

    public long Count => Pairs.Count;
    public IReadOnlyList<FieldSpec> Fields { get; }
    public IReadOnlyList<string> Classes => [];

    public Batch Read(ReadOnlySpan<long> indices, int epoch)
    {
        SourceRows.Check(indices, Count);
        var rows = indices.ToArray().Select(i => Pairs[(int)i]).ToList();
        return SourceRows.Collect(() => new Dictionary<string, Tensor>
        {
            [Sources.Fields.Input] = _inputs.Stack(rows.Select(p => p.First)),
            [Sources.Fields.Target] = _targets.Stack(rows.Select(p => p.Second)),
        });
    }
}
