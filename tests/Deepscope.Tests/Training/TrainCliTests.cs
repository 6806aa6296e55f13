using System.Diagnostics;
using System.Text.Json;
using Deepscope.Tests.Support;
using Deepscope.Training;

namespace Deepscope.Tests.Training;

public class TrainCliTests : IClassFixture<SingleThreaded>
{
    static string[] TrainArgs(string data, string output, int epochs, params string[] extra) =>
    [
        "train", "--model", "mlp", "--dataset", "mnist", "--data-dir", data, "--no-download", "--epochs", $"{epochs}", "--limit", "1024",
        "--test-limit", "512", "--lr", "0.1", "--augment", "crop=1", "--threads", "1", "--output", output, "--batch-size", "32", .. extra,
    ];

    [Fact]
    public void TrainWritesARunThatEvaluateReproduces()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        var run = dir.File("run");
        var (exit, stdout, stderr) = CliRunner.Run(TrainArgs(data, run, 3));
        Assert.True(exit == 0, stderr);
        Assert.Contains("epoch   3:", stdout);
        foreach (var file in new[] { RunRecord.FileName, RunRecord.ModelFile, RunRecord.PyTorchModelFile, Trainer.CheckpointFile, Trainer.BestWeightsFile,
                     TrainingLog.HistoryCsv, TrainingLog.HistoryJson, TrainingLog.CurvesPng })
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing");
        var record = RunRecord.Read(run);
        Assert.Equal("mlp", record.Model);
        Assert.Equal(3, record.EpochsDone);
        Assert.Equal(1, record.Threads);
        Assert.Equal(1, record.Options.Augmentation.CropPadding);
        Assert.Contains("libtorch", record.Versions.Keys);
        Assert.True(record.TrainingSeconds > 0);
        // The normalisation is the training subset's: MNIST's pixel mean is about 0.13.
        Assert.InRange(record.Input.Mean[0], 0.11, 0.15);

        var metricsPath = dir.File("metrics.json");
        (exit, stdout, stderr) = CliRunner.Run("evaluate", "--run", run, "--data-dir", data, "--no-download", "--limit", "512", "--output", metricsPath);
        Assert.True(exit == 0, stderr);
        Assert.Contains("confusion matrix", stdout);
        var json = JsonDocument.Parse(File.ReadAllText(metricsPath)).RootElement;
        double lastEval = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, TrainingLog.HistoryJson))).RootElement[2].GetProperty("eval_accuracy").GetDouble();
        Assert.Equal(lastEval, json.GetProperty("accuracy").GetDouble(), 12);
        Assert.True(lastEval > 0.8, $"an MLP on 1024 MNIST digits should pass 80%, got {lastEval}");
        Assert.Equal(512, json.GetProperty("confusion_matrix").EnumerateArray().Sum(row => row.EnumerateArray().Sum(v => v.GetInt64())));
        Assert.Equal(10, json.GetProperty("per_class").GetArrayLength());
        Assert.Equal(512, json.GetProperty("per_class").EnumerateArray().Sum(c => c.GetProperty("support").GetInt64()));
    }

    [Fact]
    public void ValidationHoldOutDrivesEpochsAndTheTestSplitIsScoredOnce()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        var run = dir.File("run");
        var (exit, stdout, stderr) = CliRunner.Run(TrainArgs(data, run, 1, "--validation", "0.25"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("768 training / 256 validation images", stdout);
        var record = RunRecord.Read(run);
        Assert.Equal((768L, 256L, 0.25), (record.TrainCount, record.EvalCount, record.ValidationFraction!.Value));
        var metricsPath = dir.File("metrics.json");
        (exit, _, stderr) = CliRunner.Run("evaluate", "--run", run, "--data-dir", data, "--no-download", "--limit", "512", "--output", metricsPath);
        Assert.True(exit == 0, stderr);
        Assert.Equal(record.TestAccuracy!.Value, JsonDocument.Parse(File.ReadAllText(metricsPath)).RootElement.GetProperty("accuracy").GetDouble(), 12);
    }

    [Fact]
    public void UserErrorsAreOneClearLine()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        var run = dir.File("run");
        var (exit, _, stderr) = CliRunner.Run(["train", "--model", "googlenet", "--dataset", "mnist", "--output", run]);
        Assert.Equal(1, exit);
        Assert.Contains("unknown model 'googlenet'", stderr);

        (exit, _, stderr) = CliRunner.Run(TrainArgs(data, run, 1));
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = CliRunner.Run(TrainArgs(data, run, 1));
        Assert.Equal(1, exit);
        Assert.Contains("--resume", stderr);
        (exit, _, stderr) = CliRunner.Run(TrainArgs(data, run, 1, "--seed", "9", "--resume"));
        Assert.Equal(1, exit);
        Assert.Contains("other training options", stderr);
        (exit, _, stderr) = CliRunner.Run("evaluate", "--run", dir.Path);
        Assert.Equal(1, exit);
        Assert.Contains("not a run directory", stderr);
    }

    static Process StartCli(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "deepscope.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    static void RunToEnd(params string[] args)
    {
        using var process = StartCli(args);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "deepscope train did not finish");
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public void SigkillMidEpochThenResumeGivesTheSameWeightsAsAnUninterruptedRun()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        string[] Args(string output, params string[] extra) =>
        [
            "train", "--model", "mlp", "--dataset", "mnist", "--data-dir", data, "--no-download", "--epochs", "3", "--limit", "12000", "--test-limit", "1000",
            "--batch-size", "32", "--lr", "0.05", "--momentum", "0.9", "--schedule", "onecycle", "--augment", "crop=2,flip", "--seed", "3", "--threads", "1",
            "--output", output, .. extra,
        ];
        var straight = dir.File("straight");
        var killed = dir.File("killed");
        RunToEnd(Args(straight));

        using (var victim = StartCli(Args(killed)))
        {
            var history = Path.Combine(killed, TrainingLog.HistoryJson);
            var clock = Stopwatch.StartNew();
            while (!File.Exists(history) && !victim.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(10);
            Assert.False(victim.HasExited, "the run ended before its first checkpoint");
            double epochSeconds = JsonDocument.Parse(File.ReadAllText(history)).RootElement[0].GetProperty("seconds").GetDouble();
            Thread.Sleep(TimeSpan.FromSeconds(0.4 * epochSeconds));
            victim.Kill(); // SIGKILL on Linux: no handler, no flush, as an OOM kill or power loss
            victim.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, RunRecord.ModelFile)), "the run finished before it could be killed mid-epoch");
        Assert.Empty(Directory.GetFiles(killed, "*.tmp"));

        RunToEnd(Args(killed, "--resume"));
        Assert.True(RunRecord.Read(killed).ResumedAfterEpoch is 1 or 2);
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, RunRecord.ModelFile)), File.ReadAllBytes(Path.Combine(killed, RunRecord.ModelFile)));
        static IEnumerable<string> Accuracies(string run) => File.ReadAllLines(Path.Combine(run, TrainingLog.HistoryCsv)).Select(l => string.Join(",", l.Split(',')[1..5]));
        Assert.Equal(Accuracies(straight), Accuracies(killed));
    }
}
