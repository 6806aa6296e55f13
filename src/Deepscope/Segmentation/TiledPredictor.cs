using Deepscope.Data;
using Deepscope.Data.Sources;
using static TorchSharp.torch;

namespace Deepscope.Segmentation;

/// <summary>
/// Overlap-tile prediction (Ronneberger et al. 2015) of an <see cref="EncoderDecoder"/> over an image of any size:
/// cores of <c>tile</c> x <c>tile</c> pixels, each predicted from a window reaching <see cref="Margin"/> pixels beyond
/// it (clipped at the image's edges), where the margin is at least the model's receptive-field radius and, like the
/// tile, a multiple of its deepest stride. Each core pixel then sees exactly what it sees in a whole-image pass, so
/// in evaluation mode the tiled logits equal the whole image's (to float rounding). A file is read and predicted one
/// band of tile rows at a time, so memory is bounded by one band of the image plus one window's activations.
/// </summary>
public sealed class TiledPredictor
{
    /// <summary>Tile core side: large enough that the margins are a small share of each window, small enough for one window's activations.</summary>
    public const int DefaultTile = 512;

    readonly EncoderDecoder _model;

    public TiledPredictor(EncoderDecoder model, int tile = DefaultTile, int? margin = null)
    {
        int stride = model.Stride;
        if (tile < stride || tile % stride != 0) throw new DeepscopeException($"the tile must be a positive multiple of the model's stride {stride}, got {tile}");
        int needed = (model.Radius + stride - 1) / stride * stride;
        if (margin is { } m && (m < needed || m % stride != 0))
            throw new DeepscopeException($"the margin must be a multiple of {stride} of at least the receptive-field radius ({model.Radius}), got {m}");
        (_model, Tile, Margin) = (model, tile, margin ?? needed);
    }

    public int Tile { get; }
    public int Margin { get; }

    /// <summary>Each core (top, left, rows, columns) and its window, for an image of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public IEnumerable<(int Top, int Left, int Rows, int Columns, int WindowTop, int WindowLeft, int WindowRows, int WindowColumns)> Tiles(int height, int width)
    {
        for (int top = 0; top < height; top += Tile)
            for (int left = 0; left < width; left += Tile)
            {
                int wt = Math.Max(0, top - Margin), wl = Math.Max(0, left - Margin);
                yield return (top, left, Math.Min(Tile, height - top), Math.Min(Tile, width - left),
                    wt, wl, Math.Min(height, top + Tile + Margin) - wt, Math.Min(width, left + Tile + Margin) - wl);
            }
    }

    /// <summary>The logits (1, K, H, W) of an in-memory image (1, C, H, W), tile by tile.</summary>
    public Tensor Logits(Tensor image)
    {
        int height = (int)image.shape[2], width = (int)image.shape[3];
        var logits = zeros(1, _model.Classes, height, width);
        using var _ = no_grad();
        _model.eval();
        foreach (var t in Tiles(height, width))
        {
            using var scope = NewDisposeScope();
            var window = image.narrow(2, t.WindowTop, t.WindowRows).narrow(3, t.WindowLeft, t.WindowColumns);
            var core = _model.forward(window).narrow(2, t.Top - t.WindowTop, t.Rows).narrow(3, t.Left - t.WindowLeft, t.Columns);
            logits.narrow(2, t.Top, t.Rows).narrow(3, t.Left, t.Columns).copy_(core);
        }
        return logits;
    }

    /// <summary>
    /// Predicts an image file band by band and writes the class of every pixel as an 8-bit TIFF mask, atomically;
    /// returns the image's height and width.
    /// </summary>
    public (int Height, int Width) PredictFile(string imagePath, string maskPath, IProgressReporter? progress = null)
    {
        var (height, width) = ImageFile.ReadSize(imagePath);
        if (_model.Classes > 256) throw new DeepscopeException($"an 8-bit mask holds at most 256 classes, the model has {_model.Classes}");
        var bands = new ImageBands([imagePath], 1);
        using var task = (progress ?? NoProgress.Instance).Start("prediction", (long)height * width / 1_000_000, "MP");
        byte[] current = [];
        int currentTop = -Tile;
        TiffWriter.Write(maskPath, height, width, 1, 8, 0, (top, rows, band) =>
        {
            for (int y = top; y < top + rows; y++)
            {
                if (y >= currentTop + Tile)
                {
                    currentTop = y / Tile * Tile;
                    current = PredictBand(bands, currentTop, height, width);
                    task.Advance((long)Math.Min(Tile, height - currentTop) * width / 1_000_000);
                }
                for (int x = 0; x < width; x++) band[(y - top) * width + x] = current[(y - currentTop) * width + x] / 255f;
            }
        });
        return (height, width);
    }

    /// <summary>The classes of rows [top, top + tile) at full width (row-major).</summary>
    byte[] PredictBand(ImageBands bands, int top, int height, int width)
    {
        int rows = Math.Min(Tile, height - top), windowTop = Math.Max(0, top - Margin), windowRows = Math.Min(height, top + Tile + Margin) - windowTop;
        var classes = new byte[rows * width];
        using var _ = no_grad();
        _model.eval();
        using var bandScope = NewDisposeScope();
        var (pixels, firstRow) = bands.Rows(0, windowTop, windowRows);
        var band = tensor(pixels.Pixels).view(1, pixels.Channels, pixels.Height, pixels.Width).narrow(2, windowTop - firstRow, windowRows);
        foreach (var t in Tiles(height, width).Where(t => t.Top == top))
        {
            using var scope = NewDisposeScope();
            var window = band.narrow(3, t.WindowLeft, t.WindowColumns);
            var predicted = _model.forward(window).argmax(1).narrow(1, t.Top - t.WindowTop, t.Rows).narrow(2, t.Left - t.WindowLeft, t.Columns)
                .to_type(ScalarType.Byte).contiguous().data<byte>().ToArray();
            for (int y = 0; y < t.Rows; y++) predicted.AsSpan(y * t.Columns, t.Columns).CopyTo(classes.AsSpan(y * width + t.Left));
        }
        return classes;
    }
}
