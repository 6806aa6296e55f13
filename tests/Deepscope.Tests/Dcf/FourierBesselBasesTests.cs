using Deepscope.Models.Dcf;

namespace Deepscope.Tests.Dcf;

public class FourierBesselBasesTests
{
    [Theory]
    [InlineData(3, 6, 2.861714)]
    [InlineData(5, 14, 4.390709)]
    public void Counts_and_normalisers_are_those_of_calculate_FB_bases(int kernel, int count, double normalizer)
    {
        var bases = FourierBesselBases.ForKernel(kernel);
        Assert.Equal(count, bases.Count);
        Assert.Equal(normalizer, bases.Normalizer, 6);
        Assert.Equal((count, kernel, kernel), (bases.Values.GetLength(0), bases.Values.GetLength(1), bases.Values.GetLength(2)));
    }

    [Fact]
    public void Modes_are_sorted_by_Bessel_zero_with_cosine_before_sine()
    {
        var modes = FourierBesselBases.ForKernel(5).Modes;
        Assert.Equal(new[] { (0, 1), (1, 1), (1, 1), (2, 1), (2, 1), (0, 2), (3, 1), (3, 1), (1, 2), (1, 2), (4, 1), (4, 1), (2, 2), (2, 2) },
            modes.Select(m => (m.K, m.Q)));
        Assert.Equal(new[] { false, false, true, false, true, false, false, true, false, true, false, true, false, true }, modes.Select(m => m.Sine));
    }

    /// <summary>
    /// The 3x3 bases, golden values computed from the formula of calculate_FB_bases.m in double precision (scipy's
    /// besselj and zeros); the first basis' centre, edge and corner (0.6731, 0.3053, 0.0493) are those of the issue.
    /// </summary>
    static readonly double[][] Golden3x3 =
    [
        [0.049333277530499188, 0.30529919452407966, 0.049333277530499188, 0.30529919452407966, 0.67310525983270264, 0.30529919452407966, 0.049333277530499188, 0.30529919452407966, 0.049333277530499188],
        [-0.078268816304202418, 0, 0.078268816304202446, -0.59283696151540088, 0, 0.59283696151540088, -0.078268816304202418, 0, 0.078268816304202446],
        [-0.078268816304202446, -0.59283696151540088, -0.078268816304202418, 0, 0, 0, 0.078268816304202446, 0.59283696151540088, 0.078268816304202418],
        [0, -0.67993093029541984, 0, 0.67993093029541984, 0, 0.67993093029541984, 0, -0.67993093029541984, 0],
        [0.14766633433099613, 0, -0.14766633433099613, 0, 0, 0, -0.14766633433099613, 0, 0.14766633433099613],
        [-0.11172057042616239, -0.40880899568249235, -0.11172057042616239, -0.40880899568249235, 1.0269675391615369, -0.40880899568249235, -0.11172057042616239, -0.40880899568249235, -0.11172057042616239],
    ];

    [Fact]
    public void The_3x3_bases_equal_the_golden_values()
    {
        var values = FourierBesselBases.ForKernel(3).Values;
        for (int b = 0; b < 6; b++)
            for (int i = 0; i < 9; i++)
                Assert.InRange(values[b, i / 3, i % 3] - Golden3x3[b][i], -1e-12, 1e-12);
        Assert.Equal(0.6731, values[0, 1, 1], 4);
        Assert.Equal(0.3053, values[0, 0, 1], 4);
        Assert.Equal(0.0493, values[0, 0, 0], 4);
    }

    [Fact]
    public void Orientation_is_Matlab_atan2_of_row_and_column_offsets()
    {
        var v = FourierBesselBases.ForKernel(5).Values;
        // k = 1 cosine grows with the column (x), the sine with the row (y, downwards in the image).
        Assert.True(v[1, 2, 4] > 0 && v[1, 2, 0] < 0 && Math.Abs(v[1, 0, 2]) < 1e-15);
        Assert.True(v[2, 4, 2] > 0 && v[2, 0, 2] < 0 && Math.Abs(v[2, 2, 4]) < 1e-15);
        // Golden 5x5 values of the formula: first basis' centre and the (0, 2) basis' centre.
        Assert.Equal(0.43870706332485476, v[0, 2, 2], 12);
        Assert.Equal(0.66934243441730035, v[5, 2, 2], 12);
        Assert.Equal(-0.21322663634708192, v[13, 0, 1], 12);
    }

    [Fact]
    public void Truncation_K_keeps_the_first_bases_and_is_checked()
    {
        var bases = FourierBesselBases.ForKernel(5);
        var three = bases.Take(3);
        Assert.Equal(3, three.GetLength(0));
        Assert.Equal(bases.Values[2, 1, 3], three[2, 1, 3]);
        Assert.Throws<DeepscopeException>(() => bases.Take(15));
        Assert.Throws<DeepscopeException>(() => bases.Take(0));
        Assert.Throws<DeepscopeException>(() => FourierBesselBases.ForKernel(4));
        Assert.Equal(38, FourierBesselBases.ForKernel(7).Count);
    }
}
