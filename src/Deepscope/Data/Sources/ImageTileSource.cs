using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// Square windows over large images (paintings, wafers, micrographs): <c>tileSize x tileSize</c> every
/// <c>stride</c> pixels, edge remainders dropped; example k is (image, tile row, tile column), image by image, row-major.
/// Only image headers are read up front. A strip TIFF of 8 or 16 bits (what <see cref="ImageFile.WriteTiff16"/> and
/// most scanners write) is read band by band: a tile decodes only the strips holding its rows. Other files (PNG, JPEG,
/// tiled or 1-bit TIFF) are decoded whole when first needed and kept in a least-recently-used cache of at most
/// <c>cachedImages</c> decoded images, so memory stays bounded by that many images whatever the collection's size.
/// Fields: <c>input</c> float32 (C, tile, tile) in [0, 1], <c>group</c> int64 (the image's index) and, when labels
/// are given, <c>label</c> int64 (the image's label).
/// </summary>
public sealed class ImageTileSource : IDataSource
{
    readonly long[]? _labels;
    readonly int _tileSize, _stride;
    readonly long[] _firstTile;           // index of each image's first tile, and the total at the end
    readonly int[] _columns;              // tiles per row of each image
    readonly ImageBands _bands;
    readonly int _channels;

    public ImageTileSource(IReadOnlyList<string> files, int tileSize, int? stride = null, bool? grayscale = null,
        IReadOnlyList<long>? labels = null, IReadOnlyList<string>? classes = null, int cachedImages = 4)
    {
        if (files.Count == 0) throw new DeepscopeException("a tile source needs at least one image");
        if (tileSize <= 0 || stride is <= 0) throw new DeepscopeException($"tile size and stride must be positive, got {tileSize} and {stride}");
        if (labels != null && labels.Count != files.Count) throw new DeepscopeException($"{files.Count} images but {labels.Count} labels");
        Paths = files;
        _labels = labels?.ToArray();
        _tileSize = tileSize;
        _stride = stride ?? tileSize;
        _bands = new ImageBands(files, cachedImages);
        Classes = classes ?? [];
        _firstTile = new long[files.Count + 1];
        _columns = new int[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            var (height, width) = ImageFile.ReadSize(files[i]);
            if (height < tileSize || width < tileSize)
                throw new InvalidDataFileException(files[i], $"image of {height}x{width} is smaller than the {tileSize}x{tileSize} tile");
            _columns[i] = (width - tileSize) / _stride + 1;
            _firstTile[i + 1] = _firstTile[i] + (long)((height - tileSize) / _stride + 1) * _columns[i];
        }
        _channels = grayscale switch { true => 1, false => 3, null => _bands.Rows(0, 0, tileSize).Pixels.Channels };
        Fields =
        [
            new(Sources.Fields.Input, ScalarType.Float32, [_channels, tileSize, tileSize]),
            new(Sources.Fields.Group, ScalarType.Int64, []),
            .. _labels is null ? Array.Empty<FieldSpec>() : [new(Sources.Fields.Label, ScalarType.Int64, [])],
        ];
    }

    /// <summary>Tiles of a labelled image folder (class subfolders or a CSV of <c>path,label</c>, as <see cref="ImageFolder"/>).</summary>
    public static ImageTileSource FromFolder(string source, int tileSize, int? stride = null, bool? grayscale = null, int cachedImages = 4)
    {
        var (files, labels, classes) = ImageFolder.List(source);
        return new ImageTileSource(files, tileSize, stride, grayscale, labels, classes, cachedImages);
    }

    public IReadOnlyList<string> Paths { get; }
    public long Count => _firstTile[^1];
    public IReadOnlyList<FieldSpec> Fields { get; }
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Decoded whole images held right now (never more than the bound given).</summary>
    public int CachedImages => _bands.CachedImages;

    /// <summary>The image and top-left pixel of tile <paramref name="index"/>.</summary>
    public (int Image, int Top, int Left) Tile(long index)
    {
        int image = Array.FindLastIndex(_firstTile, Paths.Count - 1, Paths.Count, first => first <= index);
        long k = index - _firstTile[image];
        return (image, (int)(k / _columns[image]) * _stride, (int)(k % _columns[image]) * _stride);
    }

    public Batch Read(ReadOnlySpan<long> indices, int epoch)
    {
        SourceRows.Check(indices, Count);
        var tiles = indices.ToArray().Select(Tile).ToArray();
        return SourceRows.Collect(() =>
        {
            var fields = new Dictionary<string, Tensor>
            {
                [Sources.Fields.Input] = stack(tiles.Select(t => ReadTile(t.Image, t.Top, t.Left)).ToList()),
                [Sources.Fields.Group] = tensor(tiles.Select(t => (long)t.Image).ToArray()),
            };
            if (_labels is { } labels) fields[Sources.Fields.Label] = tensor(tiles.Select(t => labels[t.Image]).ToArray());
            return fields;
        });
    }

    Tensor ReadTile(int image, int top, int left)
    {
        var pixels = _bands.Window(image, top, left, _tileSize, _tileSize, out int channels);
        return ImageFolder.ToChannels(new DecodedImage(pixels, channels, _tileSize, _tileSize, 8), _channels);
    }
}
