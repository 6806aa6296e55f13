using Deepscope.Models.Attention;
using static TorchSharp.torch;

namespace Deepscope.Tests.Attention;

public sealed class RetinaTests
{
    /// <summary>One glimpse cut pixel by pixel: zero outside the image, each s x s block averaged.</summary>
    static float[] PlainGlimpse(float[] image, int height, int width, double row, double column, Retina retina)
    {
        var values = new List<float>();
        for (int scale = 0; scale < retina.Scales; scale++)
        {
            int side = retina.SideOf(scale), block = side / retina.Patch;
            int top = (int)Math.Floor((row + 1) / 2 * height - side / 2.0), left = (int)Math.Floor((column + 1) / 2 * width - side / 2.0);
            for (int r = 0; r < retina.Patch; r++)
                for (int c = 0; c < retina.Patch; c++)
                {
                    double sum = 0;
                    for (int i = 0; i < block; i++)
                        for (int j = 0; j < block; j++)
                        {
                            int y = top + r * block + i, x = left + c * block + j;
                            if (y >= 0 && y < height && x >= 0 && x < width) sum += image[y * width + x];
                        }
                    values.Add((float)(sum / (block * block)));
                }
        }
        return [.. values];
    }

    [Theory]
    [InlineData(8, 1, 28)]
    [InlineData(12, 3, 60)]
    [InlineData(6, 4, 40)]
    public void The_batched_glimpse_equals_a_plain_crop_and_pool_per_example(int patch, int scales, int side)
    {
        var retina = new Retina(patch, scales);
        using var generator = new Generator(7);
        using var images = rand(16, 1, side, side, generator: generator);
        // Corners, edges and the centre, then random places (none exactly on a pixel boundary, where float32 and
        // float64 may round the patch's first pixel differently).
        var fixedLocations = new float[] { -1, -1, 1, 1, -1, 1, 1, -1, 0, 0, 0.999f, -0.31f };
        using var randomLocations = rand(10, 2, generator: generator) * 2 - 1;
        using var locations = cat([tensor(fixedLocations).view(6, 2), randomLocations]);
        using var glimpses = retina.Sense(images, locations);
        Assert.Equal([16L, scales, 1, patch, patch], glimpses.shape);
        var all = images.data<float>().ToArray();
        var where = locations.data<float>().ToArray();
        var got = glimpses.data<float>().ToArray();
        int size = scales * patch * patch;
        for (int n = 0; n < 16; n++)
        {
            var expected = PlainGlimpse(all[(n * side * side)..((n + 1) * side * side)], side, side, where[2 * n], where[2 * n + 1], retina);
            var bad = Enumerable.Range(0, size).Where(i => Math.Abs(expected[i] - got[n * size + i]) >= 1e-5).ToList();
            Assert.True(bad.Count == 0, $"example {n} at ({where[2 * n]}, {where[2 * n + 1]}): {bad.Count} values differ");
        }
    }

    [Theory]
    [InlineData(12, 3, 60, 1)]
    [InlineData(5, 2, 33, 3)]
    public void The_cpu_loops_equal_the_tensor_operations_exactly(int patch, int scales, int side, int channels)
    {
        // Images that need a gradient take the tensor operations; the same values without one take the loops.
        var retina = new Retina(patch, scales);
        using var generator = new Generator(11);
        using var images = rand(24, channels, side, side, generator: generator);
        using var locations = rand(24, 2, generator: generator) * 2.4 - 1.2;
        using var differentiable = images.clone().requires_grad_(true);
        using var byTensors = retina.Sense(differentiable, locations);
        using var byLoops = retina.Sense(images, locations);
        Assert.True(byTensors.requires_grad);
        Assert.False(byLoops.requires_grad);
        Assert.Equal(byTensors.shape, byLoops.shape);
        Assert.Equal(byTensors.detach().data<float>().ToArray(), byLoops.data<float>().ToArray());
        using var tables = Retina.Prepare(images);
        using var reference = nn.functional.pad(images.to_type(ScalarType.Float64).cumsum(2).cumsum(3), [1, 0, 1, 0]);
        Assert.Equal(reference.data<double>().ToArray(), tables.Table.data<double>().ToArray());
    }

    [Fact]
    public void Glimpses_carry_no_gradient_to_the_locations()
    {
        var retina = new Retina(4, 2);
        using var images = rand(2, 1, 20, 20, requires_grad: true);
        using var locations = zeros(2, 2, requires_grad: true);
        using var glimpses = retina.Sense(images, locations);
        glimpses.sum().backward();
        Assert.Null(locations.grad);
        Assert.NotNull(images.grad);
    }
}
