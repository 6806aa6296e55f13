using Deepscope.Tests.Support;
using Deepscope.Training;

namespace Deepscope.Tests.Generalization;

public class CorruptCliTests
{
    [Fact]
    public void TrainRandomisesTheTrainingSetAndRecordsIt()
    {
        var data = SharedData.Require("cifar10");
        using var dir = new TempDir();
        var run = dir.File("run");
        var (exit, stdout, stderr) = CliRunner.Run("train", "--model", "mlp-1x512", "--dataset", "cifar10", "--data-dir", data, "--no-download",
            "--limit", "256", "--test-limit", "128", "--epochs", "1", "--lr", "0.01", "--threads", "1", "--corrupt", "labels:0.4", "--output", run);
        Assert.True(exit == 0, stderr);
        Assert.Contains("(labels:0.4)", stdout);
        var record = RunRecord.Read(run);
        Assert.Equal("labels:0.4", record.Randomization);
        // The paper's input, recorded so that evaluate prepares images the same way.
        Assert.True(record.Input is { CropSize: 28, ImageSize: 28, PerImage: true });

        (exit, _, stderr) = CliRunner.Run("train", "--model", "mlp-1x512", "--dataset", "cifar10", "--data-dir", data, "--no-download",
            "--corrupt", "labels:2", "--output", dir.File("bad"));
        Assert.Equal(1, exit);
        Assert.Contains("labels:2", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
