using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// Random square patches of huge images with per-pixel class masks (images and masks matched by name, as
/// <see cref="SegmentationSource"/>), for training a segmenter when defects are far under 1% of the pixels: a fraction
/// <c>defectFraction</c> of the patches is centred near a defect pixel (the class drawn first, uniformly among the
/// classes present, so rare classes are seen as often as common ones), the rest anywhere. Patches are read from disk
/// (a strip TIFF band by band, see <see cref="ImageBands"/>), so memory does not grow with the images. Where the defects
/// are is learnt once, up front, by streaming the masks in bands and keeping every defect pixel on a 4-pixel grid.
/// Example k of epoch e is a pure function of (seed, e, k). Fields: <c>input</c> float32 (C, P, P) in [0, 1] and
/// <c>mask</c> int64 (P, P).
/// </summary>
public sealed class DefectPatchSource : IDataSource
{
    const int AnchorGrid = 4, ScanRows = 256;
    readonly ImageBands _images;
    readonly MaskBands _masks;
    readonly (int Width, int Height)[] _sizes;
    readonly List<(int Image, int Y, int X)>[] _anchors; // by class; class 0 (background) holds none
    readonly int[] _presentClasses;
    readonly int _patchSize, _channels;
    readonly double _defectFraction;
    readonly ulong _seed;

    public DefectPatchSource(string imageFolder, string maskFolder, int patchSize, long patchesPerEpoch, double defectFraction, long seed,
        IReadOnlyList<string>? classes = null, int cachedImages = 2)
    {
        if (patchSize < 8) throw new DeepscopeException($"patches must be at least 8 pixels, got {patchSize}");
        if (patchesPerEpoch < 1) throw new DeepscopeException($"an epoch needs at least one patch, got {patchesPerEpoch}");
        if (defectFraction is < 0 or > 1) throw new DeepscopeException($"the defect fraction must be in [0, 1], got {defectFraction}");
        Pairs = FilePairs.Match(imageFolder, maskFolder);
        _images = new ImageBands([.. Pairs.Select(p => p.First)], cachedImages);
        _masks = new MaskBands([.. Pairs.Select(p => p.Second)], cachedImages);
        (_patchSize, _defectFraction, _seed, Count) = (patchSize, defectFraction, (ulong)seed, patchesPerEpoch);
        _sizes = new (int, int)[Pairs.Count];
        for (int i = 0; i < Pairs.Count; i++)
        {
            var (h, w) = ImageFile.ReadSize(Pairs[i].First);
            if (ImageFile.ReadSize(Pairs[i].Second) != (h, w))
                throw new InvalidDataFileException(Pairs[i].Second, $"mask size differs from its image's {h}x{w}");
            if (h < patchSize || w < patchSize) throw new InvalidDataFileException(Pairs[i].First, $"image of {h}x{w} is smaller than the {patchSize}-pixel patch");
            _sizes[i] = (w, h);
        }
        Classes = classes ?? [];
        _anchors = FindAnchors();
        _presentClasses = [.. Enumerable.Range(1, _anchors.Length - 1).Where(c => _anchors[c].Count > 0)];
        _channels = _images.Rows(0, 0, 1).Pixels.Channels;
        Fields = [new(Sources.Fields.Input, ScalarType.Float32, [_channels, patchSize, patchSize]), new(Sources.Fields.Mask, ScalarType.Int64, [patchSize, patchSize])];
    }

    /// <summary>The (image, mask) files, sorted by name.</summary>
    public IReadOnlyList<(string First, string Second)> Pairs { get; }
    public long Count { get; }
    public IReadOnlyList<FieldSpec> Fields { get; }
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Defect pixels kept (on the 4-pixel grid) per class, index = class.</summary>
    public IReadOnlyList<int> AnchorCounts => [.. _anchors.Select(a => a.Count)];

    /// <summary>The image and top-left corner of example <paramref name="index"/> in <paramref name="epoch"/>.</summary>
    public (int Image, int Top, int Left) Place(long index, int epoch)
    {
        var random = new Random(unchecked((int)SplitMix64.Derive(_seed, (ulong)epoch, (ulong)index)));
        if (_presentClasses.Length > 0 && random.NextDouble() < _defectFraction)
        {
            var anchors = _anchors[_presentClasses[random.Next(_presentClasses.Length)]];
            var (image, y, x) = anchors[random.Next(anchors.Count)];
            // The anchor anywhere in the patch's central half, so the patch also shows the defect's surroundings.
            int quarter = _patchSize / 4;
            return (image, Clamp(y - quarter - random.Next(2 * quarter + 1), _sizes[image].Height), Clamp(x - quarter - random.Next(2 * quarter + 1), _sizes[image].Width));
        }
        int any = random.Next(_sizes.Length);
        return (any, random.Next(_sizes[any].Height - _patchSize + 1), random.Next(_sizes[any].Width - _patchSize + 1));
    }

    int Clamp(int corner, int extent) => Math.Clamp(corner, 0, extent - _patchSize);

    public Batch Read(ReadOnlySpan<long> indices, int epoch)
    {
        SourceRows.Check(indices, Count);
        var places = indices.ToArray().Select(i => Place(i, epoch)).ToArray();
        int p = _patchSize;
        return SourceRows.Collect(() => new Dictionary<string, Tensor>
        {
            [Sources.Fields.Input] = stack(places.Select(t => tensor(_images.Window(t.Image, t.Top, t.Left, p, p, out _)).view(_channels, p, p)).ToList()),
            [Sources.Fields.Mask] = stack(places.Select(t => tensor(MaskWindow(t.Image, t.Top, t.Left, p, p)).view(p, p)).ToList()),
        });
    }

    /// <summary>Class indices of a window of mask <paramref name="image"/>.</summary>
    public long[] MaskWindow(int image, int top, int left, int height, int width) => _masks.Window(image, top, left, height, width);

    List<(int, int, int)>[] FindAnchors()
    {
        var anchors = new List<List<(int, int, int)>> { new() };
        for (int image = 0; image < _sizes.Length; image++)
        {
            var (width, height) = _sizes[image];
            for (int top = 0; top < height; top += ScanRows)
            {
                int rows = Math.Min(ScanRows, height - top);
                var classes = MaskWindow(image, top, 0, rows, width);
                for (int y = (AnchorGrid - top % AnchorGrid) % AnchorGrid; y < rows; y += AnchorGrid)
                    for (int x = 0; x < width; x += AnchorGrid)
                    {
                        int c = (int)classes[y * width + x];
                        if (c == 0) continue;
                        while (anchors.Count <= c) anchors.Add([]);
                        anchors[c].Add((image, top + y, x));
                    }
            }
        }
        return [.. anchors];
    }
}
