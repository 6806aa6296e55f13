using static TorchSharp.torch;

namespace Deepscope.Data;

/// <summary>
/// Images with labels: <see cref="Images"/> is (N, C, H, W), uint8 (0..255) or float32 in [0, 1];
/// <see cref="Labels"/> is (N) int64; <see cref="Groups"/>, when set, is (N) int64 naming the source image of each
/// patch (for leave-one-group-out evaluation). Owns its tensors.
/// </summary>
public sealed class LabeledImages(Tensor images, Tensor labels, IReadOnlyList<string> classes, string source, Tensor? groups = null) : IDisposable
{
    public Tensor Images { get; } = images;
    public Tensor Labels { get; } = labels;
    public Tensor? Groups { get; } = groups;
    public IReadOnlyList<string> Classes { get; } = classes;
    /// <summary>Where the data came from (a file or directory), for messages and run records.</summary>
    public string Source { get; } = source;

    public long Count => Images.shape[0];
    public long[] ImageShape => Images.shape[1..];

    /// <summary>A float32 copy in [0, 1] (uint8 divided by 255; float images as they are).</summary>
    public Tensor ToFloat() => Images.dtype == ScalarType.Byte ? Images.to_type(ScalarType.Float32).div_(255f) : Images.to_type(ScalarType.Float32);

    /// <summary>Images per class, indexed like <see cref="Classes"/>.</summary>
    public long[] ClassCounts()
    {
        using var counts = bincount(Labels, minlength: Classes.Count);
        return counts.data<long>().ToArray();
    }

    /// <summary>The first <paramref name="count"/> samples (views sharing memory with this set's tensors).</summary>
    public LabeledImages Take(long count)
    {
        long n = Math.Min(count, Count);
        return new LabeledImages(Images.narrow(0, 0, n), Labels.narrow(0, 0, n), Classes, Source, Groups?.narrow(0, 0, n));
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        Groups?.Dispose();
    }
}
