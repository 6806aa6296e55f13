using Deepscope.Data;
using Deepscope.Data.Sources;
using Deepscope.IO;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Attention;

public sealed class ClutteredDigitsTests
{
    static TensorSource Blocks(byte value, int count = 30)
    {
        var images = full([count, 1, 28, 28], value, dtype: ScalarType.Byte);
        var labels = arange(count, dtype: ScalarType.Int64).remainder(10);
        return new TensorSource(new Dictionary<string, Tensor> { [Fields.Input] = images, [Fields.Label] = labels });
    }

    [Theory]
    [InlineData(60, 4)]
    [InlineData(100, 8)]
    public void Every_canvas_holds_the_digit_and_exactly_the_asked_pieces_of_clutter(int size, int distractors)
    {
        // Digits of ones: the canvas sum is the digit's 784 plus 64 per 8x8 piece of clutter, wherever they overlap.
        var source = TranslatedDigits.Create(Blocks(1), seed: 5, canvas: size, count: 300, distractors: distractors);
        using var batch = source.Read([.. Enumerable.Range(0, 300).Select(i => (long)i)], 0);
        var sums = batch[Fields.Input].to_type(ScalarType.Int64).sum([1, 2, 3]).data<long>().ToArray();
        Assert.All(sums, s => Assert.Equal(784 + 64 * distractors, s));

        // Positions spread uniformly over the canvas: the corners are reached and the mean is the middle.
        var positions = batch[TranslatedDigits.Position].to_type(ScalarType.Float64);
        Assert.Equal(0, positions.min().item<double>());
        Assert.Equal(size - 28, positions.max().item<double>());
        double mean = positions.mean().item<double>(), spread = (size - 28) / Math.Sqrt(12) / Math.Sqrt(600);
        Assert.InRange(mean, (size - 28) / 2.0 - 4 * spread, (size - 28) / 2.0 + 4 * spread);
    }

    [Fact]
    public void Overlaps_saturate_at_white_instead_of_wrapping_around()
    {
        var source = TranslatedDigits.Create(Blocks(200), seed: 9, canvas: 40, count: 200, distractors: 8);
        using var batch = source.Read([.. Enumerable.Range(0, 200).Select(i => (long)i)], 0);
        var values = batch[Fields.Input].unique().Item1.data<byte>().ToArray();
        Assert.Equal([0, 200, 255], values);
    }

    [Fact]
    public void Validation_and_test_images_are_fixed_by_the_test_seed_and_training_images_change_every_epoch()
    {
        var store = new DatasetStore(SharedData.Require("mnist"), allowDownload: false);
        var options = new DigitTaskOptions { Dataset = DigitDataset.ClutteredMnist, Size = 60, Distractors = 4 };
        using var a = new DigitTask(options, store, seed: 1);
        using var b = new DigitTask(options, store, seed: 2);
        long[] rows = [0, 1, 2, 9999];
        using var testA = a.Test.Read(rows, 0);
        using var testB = b.Test.Read(rows, 3);
        Assert.True(testA[Fields.Input].eq(testB[Fields.Input]).all().item<bool>(), "test images must not depend on the run seed or epoch");
        using var epoch0 = a.Train.Read(rows, 0);
        using var epoch1 = a.Train.Read(rows, 1);
        Assert.False(epoch0[Fields.Input].eq(epoch1[Fields.Input]).all().item<bool>(), "training images are drawn anew each epoch");
        Assert.True(epoch0[Fields.Label].eq(epoch1[Fields.Label]).all().item<bool>());
        Assert.Equal(50_000, a.Train.Count);
        Assert.Equal(10_000, a.Validation.Count);
        Assert.Equal(10_000, a.Test.Count);
        Assert.Equal(255, testA[Fields.Input].max().item<byte>());
    }

    [Fact]
    public void Generated_sets_on_disk_are_the_images_the_study_evaluates_on()
    {
        var data = SharedData.Require("mnist");
        var output = Path.Combine(Directory.CreateTempSubdirectory("deepscope-cluttered-").FullName, "set");
        try
        {
            var result = CliRunner.Run("data", "generate", "cluttered-mnist", "--size", "60", "--distractors", "4", "--seed", "7",
                "--data-dir", data, "--output", output);
            Assert.True(result.ExitCode == 0, result.Err);
            Assert.True(File.Exists(Path.Combine(output, "sample.png")));
            using var images = Npy.Read(Path.Combine(output, "test-images.npy"));
            using var labels = Npy.Read(Path.Combine(output, "test-labels.npy"));
            Assert.Equal([10_000L, 1, 60, 60], images.shape);
            using var task = new DigitTask(new DigitTaskOptions { Dataset = DigitDataset.ClutteredMnist, TestSeed = 7 }, new DatasetStore(data, false), seed: 0);
            using var expected = task.Test.Read([0, 5000, 9999], 0);
            Assert.True(images.index_select(0, tensor(new long[] { 0, 5000, 9999 })).eq(expected[Fields.Input]).all().item<bool>());
            Assert.True(labels.index_select(0, tensor(new long[] { 0, 5000, 9999 })).eq(expected[Fields.Label]).all().item<bool>());
            Assert.Equal([10_000L, 1, 60, 60], Npy.ReadShape(Path.Combine(output, "validation-images.npy")).Shape);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
        }
    }
}
