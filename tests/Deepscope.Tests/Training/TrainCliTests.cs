using System.Collections.Concurrent;
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

    /// <summary>
    /// A child run counts as hung only after this long. It is no guess at the run's speed: on the shared 2-core machine a
    /// 1-thread run goes 20-70x slower than on a quiet one (session 7), which took the 3-epoch run past the 3 minutes it
    /// was once given. Half an hour still ends a truly hung child well within CI's 90 minutes.
    /// </summary>
    static readonly TimeSpan HungAfter = TimeSpan.FromMinutes(30);

    /// <summary>The CLI in a child process; its standard output lines go to <paramref name="lines"/> when given.</summary>
    static Process StartCli(string[] args, BlockingCollection<string>? lines = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "deepscope.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) lines?.CompleteAdding();
            else lines?.Add(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    static void RunToEnd(params string[] args)
    {
        using var process = StartCli(args);
        Assert.True(process.WaitForExit(HungAfter), "deepscope train did not finish");
        Assert.Equal(0, process.ExitCode);
    }

    /// <summary>
    /// Starts a run and kills it (SIGKILL: no handler, no flush, as an OOM kill or power loss) inside its second epoch: a
    /// quarter of epoch 1's time after the CLI reports epoch 1, which it does once every output of that epoch is written.
    /// Waiting for history.json instead raced the writes that follow it (TensorBoard, curves.png), and a delay taken
    /// from history.json overshot when the load dropped. If epoch 2 still ended first (the history then holds two
    /// epochs), the attempt is redone in a new folder. Returns the killed run's folder.
    /// </summary>
    static string KillInsideEpochTwo(Func<string, string[]> args, TempDir dir)
    {
        for (int attempt = 1; ; attempt++)
        {
            var folder = dir.File($"killed-{attempt}");
            using (var lines = new BlockingCollection<string>())
            using (var victim = StartCli(args(folder), lines))
            {
                Assert.True(WaitForLine(lines, "epoch   1:"), "the run ended (or hung) before reporting its first epoch");
                double epochSeconds = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, TrainingLog.HistoryJson))).RootElement[0].GetProperty("seconds").GetDouble();
                Thread.Sleep(TimeSpan.FromSeconds(0.25 * epochSeconds));
                victim.Kill();
                victim.WaitForExit(); // and for its output to end, before the lines are disposed
            }
            int epochsWritten = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, TrainingLog.HistoryJson))).RootElement.GetArrayLength();
            if (epochsWritten == 1) return folder;
            Assert.True(attempt < 3, $"three runs finished epoch 2 within a quarter of epoch 1's time; the last wrote {epochsWritten} epochs");
        }
    }

    /// <summary>Whether a line starting with <paramref name="prefix"/> arrives before the output ends (or the child is taken as hung).</summary>
    static bool WaitForLine(BlockingCollection<string> lines, string prefix)
    {
        var clock = Stopwatch.StartNew();
        while (!lines.IsCompleted && clock.Elapsed < HungAfter)
            if (lines.TryTake(out var line, TimeSpan.FromSeconds(1)) && line.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
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
        RunToEnd(Args(straight));
        // The CLI process lifts the library's oneDNN cap (every model it runs is routed); this test process keeps it.
        var isa = RunRecord.Read(straight).Versions["onednn_isa"];
        if (Deepscope.Runtime.OneDnnIsa.Capped) Assert.StartsWith($"{Deepscope.Runtime.OneDnnIsa.RoutedCeiling} (set by Deepscope's CLI", isa);
        else Assert.Equal(Deepscope.Runtime.OneDnnIsa.Description, isa);

        var killed = KillInsideEpochTwo(output => Args(output), dir);
        Assert.False(File.Exists(Path.Combine(killed, RunRecord.ModelFile)), "the run finished before it could be killed mid-epoch");
        Assert.Empty(Directory.GetFiles(killed, "*.tmp"));

        RunToEnd(Args(killed, "--resume"));
        Assert.Equal(1, RunRecord.Read(killed).ResumedAfterEpoch);
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, RunRecord.ModelFile)), File.ReadAllBytes(Path.Combine(killed, RunRecord.ModelFile)));
        static IEnumerable<string> Accuracies(string run) => File.ReadAllLines(Path.Combine(run, TrainingLog.HistoryCsv)).Select(l => string.Join(",", l.Split(',')[1..5]));
        Assert.Equal(Accuracies(straight), Accuracies(killed));
    }
}
