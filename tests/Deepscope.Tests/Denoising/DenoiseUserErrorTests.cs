using Deepscope.CryoEm;
using Deepscope.Denoising;
using Deepscope.IO;
using Deepscope.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

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
    public void A_batch_below_one_is_refused_before_reading()
    {
        using var dir = new TempDir();
        var reader = ImageStackReader.Open(Stack(dir));
        // A batch of 0 used to loop for ever on empty batches.
        Assert.Throws<DeepscopeException>(() => reader.Batches(0));
        Assert.Equal(3, reader.Batches(2).Sum(b => b.Count));
        AssertOneLineError(["denoise", "--method", "gaussian", "--input", Stack(dir), "--output", dir.File("o.mrcs"), "--batch", "-3"], "at least 1 image, got -3");
        Assert.False(File.Exists(dir.File("o.mrcs")));
    }

    [Fact]
    public void A_negative_sigma_is_refused()
    {
        using var dir = new TempDir();
        // BM3D used to return the noisy input unchanged for sigma <= 0.
        AssertOneLineError(["denoise", "--method", "bm3d", "--input", Stack(dir), "--output", dir.File("o.mrcs"), "--sigma", "-1"], "sigma must be >= 0, got -1");
        Assert.False(File.Exists(dir.File("o.mrcs")));
    }

    [Fact]
    public void Noise_options_out_of_range_are_refused()
    {
        using var dir = new TempDir();
        var input = Stack(dir);
        // A negative variance used to write NaNs, an amount above 1 to flip every pixel, both with exit 0.
        AssertOneLineError(["noise", "--input", input, "--output", dir.File("n.mrcs"), "--var", "-1"], "variance must be >= 0, got -1");
        AssertOneLineError(["noise", "--input", input, "--output", dir.File("n.mrcs"), "--mode", "s&p", "--amount", "2"], "[0, 1], got 2");
        AssertOneLineError(["noise", "--input", input, "--output", dir.File("n.mrcs"), "--mode", "s&p", "--salt-vs-pepper", "-0.5"], "[0, 1], got -0.5");
        Assert.False(File.Exists(dir.File("n.mrcs")));
    }

    [Fact]
    public void Poisson_noise_on_values_below_minus_one_names_the_file_and_image()
    {
        using var dir = new TempDir();
        var values = Enumerable.Range(0, 2 * 8 * 8).Select(i => i < 64 ? 0.5f : -3f + i % 8).ToArray();
        MrcFile.Write(dir.File("wide.mrcs"), new MrcMap(MrcFile.NewHeader(8, 8, 2, stack: true), values));
        // Was an internal error (a negative Poisson mean); scikit-image's random_noise refuses such data too.
        AssertOneLineError(["noise", "--input", dir.File("wide.mrcs"), "--output", dir.File("n.mrcs"), "--mode", "poisson"],
            "wide.mrcs: image 1: poisson noise needs values in [-1, 1]");
        Assert.False(File.Exists(dir.File("n.mrcs")));
    }

    [Fact]
    public void A_bm3d_block_that_is_not_a_power_of_two_is_a_user_error()
    {
        using var dir = new TempDir();
        // Was an internal error (ArgumentException) from the bior1.5 transform.
        AssertOneLineError(["denoise", "--method", "bm3d", "--input", Stack(dir), "--output", dir.File("o.mrcs"), "--n1", "6"], "bm3d: n1 must be a power of 2", "got 6");
        Assert.Equal(4, new Bm3d(new Bm3dOptions { HardBlock = 4 }).Options.HardBlock);
    }

    [Fact]
    public void An_undecodable_image_is_a_one_line_error()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("noise.png"), Enumerable.Range(0, 3000).Select(i => (byte)(i * 37 % 251)).ToArray());
        // ImageSharp's message listed every decoder on its own line.
        AssertOneLineError(["denoise", "--method", "gaussian", "--input", dir.File("noise.png"), "--output", dir.File("o.png")],
            "noise.png: cannot decode image (not a known image format)");
    }

    [Fact]
    public void Images_too_small_for_a_method_name_the_file()
    {
        using var dir = new TempDir();
        using (var t = rand(2, 5, 5)) Npy.Write(dir.File("small.npy"), t);
        using (var t = rand(2, 3, 3)) Npy.Write(dir.File("tiny.npy"), t);
        // Both were internal errors: K-SVD indexed outside a 5x5 image, the noise estimate outside a 3x3 one.
        AssertOneLineError(["denoise", "--method", "ksvd", "--sigma", "0.1", "--input", dir.File("small.npy"), "--output", dir.File("o.npy")],
            "small.npy: image 5x5 is smaller than the 8x8 patches");
        AssertOneLineError(["denoise", "--method", "ksvd", "--input", dir.File("tiny.npy"), "--output", dir.File("o.npy"), "--patch_size", "2"],
            "tiny.npy: cannot estimate the noise of a 3x3 image (smaller than 4x4)");
        Assert.False(File.Exists(dir.File("o.npy")));
    }

    [Fact]
    public void An_output_named_for_another_format_is_refused()
    {
        using var dir = new TempDir();
        var input = Stack(dir);
        // An MRC stack went into o.png as MRC bytes, and a .jpg output held PNG bytes.
        AssertOneLineError(["denoise", "--method", "gaussian", "--input", input, "--output", dir.File("o.png")], "o.png: the output keeps the input's format; name it .mrcs");
        AssertOneLineError(["noise", "--input", input, "--output", dir.File("o.npy")], "o.npy: the output keeps the input's format");
        using (var image = new Image<L8>(16, 16)) image.SaveAsPng(dir.File("grey.png"));
        AssertOneLineError(["denoise", "--method", "median", "--input", dir.File("grey.png"), "--output", dir.File("o.jpg")], "name it .png or .tif (lossless)");
        Assert.Empty(Directory.GetFiles(dir.Path, "o.*"));
        var (exit, _, stderr) = CliRunner.Run("denoise", "--method", "median", "--input", dir.File("grey.png"), "--output", dir.File("o.tif"));
        Assert.True(exit == 0, stderr);
    }

    [Fact]
    public void An_even_filter_window_is_refused()
    {
        using var dir = new TempDir();
        // An even side was widened to the next odd one without a word (scipy shifts an even window off the pixel instead).
        AssertOneLineError(["denoise", "--method", "median", "--input", Stack(dir), "--output", dir.File("o.mrcs"), "--size", "4"], "median: size must be odd", "got 4");
        AssertOneLineError(["denoise", "--method", "wiener", "--input", Stack(dir), "--output", dir.File("o.mrcs"), "--mysize", "2"], "wiener: mysize must be odd", "got 2");
    }
}
