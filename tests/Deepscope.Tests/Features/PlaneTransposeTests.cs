using Deepscope.Features.Scattering.Simd;

namespace Deepscope.Tests.Features;

public class PlaneTransposeTests
{
    /// <summary>8 x 8 register blocks, the scalar edges and the scalar fallback all give the plain transpose.</summary>
    [Theory]
    [InlineData(8, 8)]
    [InlineData(19, 27)]
    [InlineData(36, 18)]
    [InlineData(3, 5)]
    public unsafe void BlocksAndScalarFallbackTranspose(int rows, int cols)
    {
        const int fromPitch = 40, toPitch = 48;
        var source = Enumerable.Range(0, rows * fromPitch).Select(i => (float)i).ToArray();
        foreach (bool blocks in new[] { true, false })
        {
            if (blocks && !System.Runtime.Intrinsics.X86.Avx.IsSupported) continue;
            var target = new float[cols * toPitch];
            fixed (float* from = source, to = target) PlaneTranspose.Matrix(from, fromPitch, to, toPitch, rows, cols, blocks);
            for (int r = 0; r < rows; r++)
                for (int x = 0; x < cols; x++)
                    Assert.Equal(source[r * fromPitch + x], target[x * toPitch + r]);
        }
    }
}
