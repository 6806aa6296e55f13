using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Tests.Training;

/// <summary>
/// A small learnable image set: 4 classes of 1x8x8 uint8 images, class c brightening quadrant c over seeded noise.
/// </summary>
static class TinyData
{
    public static readonly string[] Classes = ["top-left", "top-right", "bottom-left", "bottom-right"];

    /// <summary>The training and evaluation sets the step and resume tests share (208 and 64 images).</summary>
    public static readonly Examples SharedTrain = Make(208, seed: 1), SharedTest = Make(64, seed: 2);

    public static Examples Make(long count, long seed)
    {
        using var g = new Generator((ulong)seed);
        var labels = randint(0, 4, [count], dtype: ScalarType.Int64, generator: g);
        var images = randint(0, 120, [count, 1, 8, 8], dtype: ScalarType.Int32, generator: g);
        var l = labels.data<long>().ToArray();
        for (int i = 0; i < count; i++)
        {
            long row = l[i] / 2 * 4, col = l[i] % 2 * 4;
            images[i, 0, TensorIndex.Slice(row, row + 4), TensorIndex.Slice(col, col + 4)].add_(120);
        }
        return new Examples(images.to_type(ScalarType.Byte), labels, Classes);
    }

    public static InputTransform Transform(Examples train) => InputTransform.FromData(train.Inputs);

    /// <summary>Bit-for-bit equality of two tensors (shape and every element).</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype) return false;
        using var equal = a.eq(b).all();
        return equal.item<bool>();
    }

    public static void AssertSameWeights(nn.Module expected, nn.Module actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (key, value) in a)
            Assert.True(Same(value, b[key]), $"{key} differs (max |diff| {(value.to_type(ScalarType.Float64) - b[key].to_type(ScalarType.Float64)).abs().max().item<double>()})");
    }
}

/// <summary>
/// Runs a test class on one libtorch thread, restoring the previous count after: tiny models gain nothing from a second
/// thread, and on a loaded shared machine OpenMP's barrier waits make two threads many times slower.
/// </summary>
public sealed class SingleThreaded : IDisposable
{
    readonly int _previous = get_num_threads();

    public SingleThreaded() => set_num_threads(1);

    public void Dispose() => set_num_threads(_previous);
}
