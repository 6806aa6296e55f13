using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Tests.Numerics;

/// <summary>The one finite-value check: the first bad entry by row and column, with or without a file to name.</summary>
public class FloatMatrixTests
{
    [Fact]
    public void The_first_non_finite_entry_is_named_in_both_forms()
    {
        using var x = zeros(5, 3);
        x[4, 0] = tensor(float.NaN);
        x[3, 2] = tensor(float.NegativeInfinity);
        Assert.Equal("the features hold a non-finite value (-Infinity) at row 3, column 2", Assert.Throws<DeepscopeException>(() => FloatMatrix.CheckFinite(x)).Message);
        var e = Assert.Throws<InvalidDataFileException>(() => FloatMatrix.CheckFinite(x, "f.npy", firstRow: 100));
        Assert.Contains("f.npy: contains NaN or infinite values (row 103), the first -Infinity at column 2", e.Message);
        FloatMatrix.CheckFinite(zeros(4, 2), "fine.npy");
        FloatMatrix.CheckFinite(zeros(0, 2), "empty.npy");
    }

    [Fact]
    public void Images_are_checked_as_rows_of_flattened_pixels()
    {
        using var images = zeros(3, 2, 4, 4, ScalarType.Float64);
        images[1, 1, 2, 3] = tensor(double.NaN);
        // Row 1; within the row, channel 1, y 2, x 3 is column 16 + 8 + 3.
        Assert.Contains("(row 1), the first NaN at column 27", Assert.Throws<InvalidDataFileException>(() => FloatMatrix.CheckFinite(images, "i.npy")).Message);
    }

    [Fact]
    public void A_matrix_larger_than_one_block_is_searched_to_the_end()
    {
        // (1 << 22) / 8 columns = 524,288 rows per block: the bad row sits in the second block.
        using var x = zeros(600_000, 8);
        x[599_999, 7] = tensor(float.PositiveInfinity);
        Assert.Equal("the features hold a non-finite value (Infinity) at row 599999, column 7", Assert.Throws<DeepscopeException>(() => FloatMatrix.CheckFinite(x)).Message);
    }
}
