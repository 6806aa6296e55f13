using Deepscope.CryoEm;
using Deepscope.Denoising;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Denoising;

/// <summary>Bad options and inputs to the noise and denoise commands: one-line errors (exit 1), never a hang or a silent result.</summary>
public sealed class DenoiseUserErrorTests
{
    static string Stack(TempDir dir, int count = 3, int side = 16)
    {
        var values = Enumerable.Range(0, count * side * side).Select(i => (float)Math.Sin(i / 5.0)).ToArray();
        MrcFile.Write(dir.File("clean.mrcs"), new MrcMap(MrcFile.NewHeader(side, side, count, stack: true), values));
        return dir.File("clean.mrcs");
    }

    static void AssertOneLineError(string[] args, params string[] expected)
    {
        var (exit, _, stderr) = CliRunner.Run(args);
        Assert.True(exit == 1, $"exit {exit}: {stderr}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("deepscope: ")).ToList();
        Assert.Single(lines);
        foreach (var text in expected) Assert.Contains(text, lines[0]);
    }

    [Fact]
    public void A_bm3d_block_that_is_not_a_power_of_two_is_a_user_error()
    {
        using var dir = new TempDir();
        // Was an internal error (ArgumentException) from the bior1.5 transform.
        AssertOneLineError(["denoise", "--method", "bm3d", "--input", Stack(dir), "--output", dir.File("o.mrcs"), "--n1", "6"], "bm3d: n1 must be a power of 2", "got 6");
        Assert.Equal(4, new Bm3d(new Bm3dOptions { HardBlock = 4 }).Options.HardBlock);
    }
}
