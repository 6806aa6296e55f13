using System.Diagnostics;
using Deepscope.Tests.Support;
using Deepscope.Training;

namespace Deepscope.Tests.Training;

/// <summary>The target: the LeNet-style CNN reaches 99.0% MNIST test accuracy within 3 epochs (all cores).</summary>
public class LeNetMnistTests
{
    [Fact]
    [Trait(Category.Name, Category.Long)]
    public void LeNetReaches99PercentOnMnistInThreeEpochs()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        var clock = Stopwatch.StartNew();
        var (exit, stdout, stderr) = CliRunner.Run("train", "--model", "lenet", "--dataset", "mnist", "--data-dir", data, "--no-download", "--epochs", "3",
            "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9", "--schedule", "cosine", "--batch-size", "128", "--output", dir.Path);
        clock.Stop();
        Assert.True(exit == 0, stderr);
        var record = RunRecord.Read(dir.Path);
        TestContext.Current.SendDiagnosticMessage($"LeNet MNIST: {100 * record.FinalEvalAccuracy:F2}% after 3 epochs, {record.TrainingSeconds:F0}s training, {clock.Elapsed.TotalSeconds:F0}s wall\n{stdout}");
        Console.WriteLine(stdout);
        Assert.True(record.FinalEvalAccuracy >= 0.990, $"test accuracy {record.FinalEvalAccuracy:P2} after 3 epochs");
    }
}
