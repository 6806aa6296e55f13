using static TorchSharp.torch;

namespace Deepscope.Models.Attention;

/// <summary>
/// The retina's two steps as plain loops over CPU memory, for images that need no gradient (RAM's inputs): the
/// summed-area tables and the box sums at every glimpse. They compute what <see cref="Retina"/>'s tensor operations
/// compute, in the same order and precision, so the results are identical; a glimpse is some 25 small tensor
/// operations, each with its own dispatch and allocation, where a loop reads the 4 (Patch + 1)^2 corners directly.
/// </summary>
static unsafe class RetinaKernels
{
    /// <summary>Whether the loops can stand in for the tensor operations on <paramref name="images"/>.</summary>
    public static bool Applies(Tensor images) =>
        images.device_type == TorchSharp.DeviceType.CPU && images.dtype == ScalarType.Float32 && !images.requires_grad;

    /// <summary>Whether the glimpse loop can read <paramref name="images"/> (tables built from float32 images that need no gradient).</summary>
    public static bool Applies(SummedImages images) =>
        images.Table.device_type == TorchSharp.DeviceType.CPU && images.ImageType == ScalarType.Float32 && !images.Table.requires_grad
        && images.Table.is_contiguous();

    /// <summary>
    /// Summed-area tables (N, C, H + 1, W + 1) float64 of images (N, C, H, W), summed down the columns first, then
    /// along the rows, as <c>cumsum(2).cumsum(3)</c> does.
    /// </summary>
    public static Tensor SummedAreaTables(Tensor images)
    {
        using var source = images.contiguous();
        long planes = images.shape[0] * images.shape[1];
        int height = (int)images.shape[2], width = (int)images.shape[3], stride = width + 1;
        var table = zeros(images.shape[0], images.shape[1], height + 1, stride, dtype: ScalarType.Float64);
        var columnSums = new double[width];
        fixed (byte* sourceBytes = source.bytes, tableBytes = table.bytes)
        {
            var pixels = (float*)sourceBytes;
            var sums = (double*)tableBytes;
            for (long plane = 0; plane < planes; plane++)
            {
                Array.Clear(columnSums);
                var image = pixels + plane * height * width;
                var planeSums = sums + plane * (height + 1) * stride;
                for (int y = 0; y < height; y++)
                {
                    var row = planeSums + (y + 1) * stride;
                    for (int x = 0; x < width; x++)
                    {
                        columnSums[x] += image[y * width + x];
                        row[x + 1] = row[x] + columnSums[x];
                    }
                }
            }
        }
        return table;
    }

    /// <summary>
    /// The glimpses (N, Scales, C, Patch, Patch) float32 at <paramref name="locations"/> (N, 2) from summed-area
    /// tables: each averaged pixel is (S[r1, c1] - S[r0, c1]) - (S[r1, c0] - S[r0, c0]) over its block's area, the
    /// corners clamped to the image.
    /// </summary>
    public static Tensor Glimpses(Retina retina, Tensor table, Tensor locations)
    {
        long n = table.shape[0];
        int channels = (int)table.shape[1], height = (int)table.shape[2] - 1, width = (int)table.shape[3] - 1, stride = width + 1;
        int patch = retina.Patch, scales = retina.Scales;
        using var where = locations.detach().to_type(ScalarType.Float32).contiguous();
        var glimpses = empty([n, scales, channels, patch, patch], dtype: ScalarType.Float32);
        var rows = new int[patch + 1];
        var columns = new int[patch + 1];
        fixed (byte* tableBytes = table.bytes, whereBytes = where.bytes, glimpseBytes = glimpses.bytes)
        {
            var sums = (double*)tableBytes;
            var centres = (float*)whereBytes;
            var output = (float*)glimpseBytes;
            for (long example = 0; example < n; example++)
            {
                // Float32 as the tensor path: centre = (l + 1) / 2 * side, start = floor(centre - side_k / 2).
                float row = (centres[2 * example] + 1) / 2 * height, column = (centres[2 * example + 1] + 1) / 2 * width;
                for (int scale = 0; scale < scales; scale++)
                {
                    int side = retina.SideOf(scale), block = side / patch;
                    double area = block * block;
                    long top = (long)MathF.Floor(row - side / 2f), left = (long)MathF.Floor(column - side / 2f);
                    for (int corner = 0; corner <= patch; corner++)
                    {
                        rows[corner] = (int)Math.Clamp(top + (long)corner * block, 0, height);
                        columns[corner] = (int)Math.Clamp(left + (long)corner * block, 0, width);
                    }
                    for (int channel = 0; channel < channels; channel++)
                    {
                        var plane = sums + (example * channels + channel) * (height + 1) * stride;
                        var glimpse = output + ((example * scales + scale) * channels + channel) * patch * patch;
                        for (int i = 0; i < patch; i++)
                        {
                            double* upper = plane + rows[i] * stride, lower = plane + rows[i + 1] * stride;
                            for (int j = 0; j < patch; j++)
                            {
                                int c0 = columns[j], c1 = columns[j + 1];
                                glimpse[i * patch + j] = (float)((lower[c1] - upper[c1] - (lower[c0] - upper[c0])) / area);
                            }
                        }
                    }
                }
            }
        }
        return glimpses;
    }
}
