using Deepscope.Numerics;

namespace Deepscope.Tests.Dcf;

public class BesselTests
{
    /// <summary>
    /// Zeros j_{n,q} as published (Abramowitz and Stegun, Table 9.5, and DLMF 10.21; digits beyond the table's tenth
    /// decimal as Cephes' jn_zeros gives them, which agrees with the table).
    /// </summary>
    public static TheoryData<int, int, double> PublishedZeros => new()
    {
        { 0, 1, 2.404825557695773 }, { 0, 2, 5.520078110286311 }, { 0, 3, 8.653727912911013 }, { 0, 4, 11.791534439014281 },
        { 1, 1, 3.8317059702075125 }, { 1, 2, 7.015586669815619 }, { 1, 3, 10.173468135062722 },
        { 2, 1, 5.135622301840683 }, { 2, 2, 8.417244140399864 }, { 2, 3, 11.61984117214906 },
        { 3, 1, 6.380161895923984 }, { 3, 2, 9.76102312998167 },
        { 4, 1, 7.5883424345038035 }, { 4, 2, 11.064709488501185 },
        { 15, 1, 19.994430629816385 }, { 15, 2, 24.269180026208915 },
    };

    [Theory]
    [MemberData(nameof(PublishedZeros))]
    public void Zeros_equal_the_published_values_to_1e_10(int n, int q, double published) =>
        Assert.InRange(Bessel.Zero(n, q), published - 1e-10, published + 1e-10);

    [Theory]
    [InlineData(0, 1.0, 0.7651976865579666)]
    [InlineData(1, 1.0, 0.44005058574493355)]
    [InlineData(2, 0.5, 0.030604023458682638)]
    [InlineData(5, 10.0, -0.23406152818679354)]
    [InlineData(15, 20.0, -0.0008120690551535653)]
    [InlineData(0, 30.0, -0.08636798358104023)]
    [InlineData(3, 50.0, 0.09273480406163445)]
    public void J_equals_reference_values(int n, double x, double expected) =>
        Assert.InRange(Bessel.J(n, x), expected - 1e-14, expected + 1e-14);

    [Fact]
    public void Negative_orders_and_the_recurrence_hold()
    {
        Assert.Equal(-Bessel.J(3, 2.5), Bessel.J(-3, 2.5), 15);
        // J_{n-1}(x) + J_{n+1}(x) = (2n / x) J_n(x)
        foreach (var (n, x) in new[] { (1, 0.7), (4, 3.3), (9, 12.5) })
            Assert.Equal(2 * n / x * Bessel.J(n, x), Bessel.J(n - 1, x) + Bessel.J(n + 1, x), 13);
    }

    [Fact]
    public void Zeros_up_to_a_bound_are_ascending_and_interlace_with_the_next_order()
    {
        var j2 = Bessel.Zeros(2, 30);
        var j3 = Bessel.Zeros(3, 30);
        Assert.Equal(8, j2.Count); // j_{2,8} = 27.42, j_{2,9} = 30.57
        for (int i = 0; i + 1 < j3.Count; i++) Assert.True(j2[i] < j3[i] && j3[i] < j2[i + 1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Bessel.Zero(0, 0));
    }
}
