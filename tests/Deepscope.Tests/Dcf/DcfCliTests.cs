using Deepscope.IO;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Dcf;

public class DcfCliTests
{
    [Fact]
    public void Dcf_bases_writes_K_float64_bases_as_image_rows_and_columns()
    {
        using var dir = new TempDir();
        var (exit, stdout, stderr) = CliRunner.Run("dcf", "bases", "--kernel", "5", "--K", "3", "--output", dir.File("b.npy"));
        Assert.True(exit == 0, stderr + stdout);
        using var bases = Npy.Read(dir.File("b.npy"));
        Assert.Equal(ScalarType.Float64, bases.dtype);
        Assert.Equal(new long[] { 3, 5, 5 }, bases.shape);
        Assert.Equal(0.43870706332485476, bases[0, 2, 2].item<double>(), 12);
        Assert.True(bases[1, 2, 4].item<double>() > 0); // k = 1 cosine: positive to the right (column), as atan2(row, column)
        Assert.Contains("normaliser 4.390709", stdout);

        (exit, stdout, _) = CliRunner.Run("dcf", "bases", "--kernel", "3", "--output", dir.File("all.npy"));
        Assert.Equal(0, exit);
        using var all = Npy.Read(dir.File("all.npy"));
        Assert.Equal(new long[] { 6, 3, 3 }, all.shape);

        (exit, _, stderr) = CliRunner.Run("dcf", "bases", "--kernel", "3", "--K", "7", "--output", dir.File("x.npy"));
        Assert.Equal(1, exit);
        Assert.Contains("K must be 1..6", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(File.Exists(dir.File("x.npy")));
    }
}
