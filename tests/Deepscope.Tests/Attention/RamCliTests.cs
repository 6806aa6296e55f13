using System.Text.Json.Nodes;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Attention;

public sealed class RamCliTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("deepscope-ram-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Train_evaluate_and_show_a_small_ram_through_the_cli()
    {
        var data = SharedData.Require("mnist");
        var run = Path.Combine(_root, "run");
        var train = CliRunner.Run("ram", "train", "--dataset", "mnist", "--train-subset", "1024", "--epochs", "2", "--glimpses", "3",
            "--seed", "4", "--output", run, "--data-dir", data);
        Assert.True(train.ExitCode == 0, train.Err);
        Assert.Contains("best epoch", train.Out);

        var metricsPath = Path.Combine(_root, "metrics.json");
        var evaluate = CliRunner.Run("ram", "evaluate", "--run", run, "--samples", "2", "--output", metricsPath, "--data-dir", data);
        Assert.True(evaluate.ExitCode == 0, evaluate.Err);
        var metrics = JsonNode.Parse(File.ReadAllText(metricsPath))!;
        double accuracy = metrics["accuracy"]!.GetValue<double>(), error = metrics["error"]!.GetValue<double>();
        Assert.Equal(1, accuracy + error, 9);
        Assert.Equal(10_000, metrics["count"]!.GetValue<long>());
        Assert.InRange(accuracy, 0.3, 1); // 2 epochs on 1,024 digits: far above chance (0.1), far from trained
        Assert.Equal(2, metrics["monte_carlo_samples"]!.GetValue<int>());

        var png = Path.Combine(_root, "glimpses.png");
        var show = CliRunner.Run("ram", "show", "--run", run, "--count", "4", "--output", png, "--data-dir", data);
        Assert.True(show.ExitCode == 0, show.Err);
        Assert.Equal(4, show.Out.Split('\n').Count(l => l.StartsWith("digit ")));
        using var image = SixLabors.ImageSharp.Image.Load(png);
        Assert.Equal(4 * (112 + 4), image.Height); // one row per digit: 28 pixels x 4 + gap
        using var gif = SixLabors.ImageSharp.Image.Load(Path.ChangeExtension(png, ".gif"));
        Assert.Equal(3, gif.Frames.Count);

        // The same folder with other settings is refused, not overwritten.
        var clash = CliRunner.Run("ram", "train", "--dataset", "mnist", "--train-subset", "1024", "--epochs", "3", "--output", run, "--data-dir", data);
        Assert.Equal(1, clash.ExitCode);
        Assert.Contains("other settings", clash.Err);
    }

    [Fact]
    public void A_folder_that_is_not_a_run_gets_a_one_line_error()
    {
        var result = CliRunner.Run("ram", "evaluate", "--run", _root);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not an attention run", result.Err);
        Assert.Single(result.Err.Trim().Split('\n'));
    }
}
