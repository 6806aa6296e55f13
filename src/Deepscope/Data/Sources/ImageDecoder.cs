using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// Decodes image files one at a time into float32 (C, H, W) tensors of one shape, holding nothing decoded between
/// calls. The channel count and size come from the first file (decoded once, up front) unless
/// <paramref name="grayscale"/> or <paramref name="resize"/> fix them; a file of another size is an error naming it.
/// </summary>
sealed class ImageDecoder
{
    readonly Func<string, DecodedImage> _decode;
    readonly int? _resize;

    public ImageDecoder(string firstFile, bool? grayscale, int? resize, Func<string, DecodedImage>? decode)
    {
        if (resize is <= 0) throw new DeepscopeException($"resize must be positive, got {resize}");
        _decode = decode ?? ImageFile.Read;
        _resize = resize;
        if (grayscale is { } gray && resize is { } size)
            Shape = [gray ? 1 : 3, size, size];
        else
        {
            var first = _decode(firstFile);
            Shape = [grayscale switch { true => 1, false => 3, null => first.Channels }, resize ?? first.Height, resize ?? first.Width];
        }
    }

    /// <summary>(C, H, W) of every decoded image.</summary>
    public long[] Shape { get; }

    public Tensor Read(string path)
    {
        var image = _decode(path);
        using var scope = NewDisposeScope();
        var chw = ImageFolder.ToChannels(image, (int)Shape[0]);
        if (_resize is { } size) return ImageFolder.ResizeBilinear(chw, size).MoveToOuterDisposeScope();
        if (image.Height != Shape[1] || image.Width != Shape[2])
            throw new InvalidDataFileException(path, $"image is {image.Height}x{image.Width}, the others {Shape[1]}x{Shape[2]}; use a resize option");
        return chw.MoveToOuterDisposeScope();
    }

    /// <summary>The files as one (N, C, H, W) batch.</summary>
    public Tensor Stack(IEnumerable<string> paths)
    {
        using var scope = NewDisposeScope();
        return stack(paths.Select(Read).ToList()).MoveToOuterDisposeScope();
    }
}
