using static TorchSharp.torch;

namespace Deepscope.Tests.Data.Sources;

/// <summary>Byte-level tensor comparisons: same dtype, shape and bytes.</summary>
static class TensorAssert
{
    public static bool Same(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.contiguous().bytes.SequenceEqual(b.contiguous().bytes);

    public static void Identical(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(Same(expected, actual), "the tensors hold different bytes");
    }
}
