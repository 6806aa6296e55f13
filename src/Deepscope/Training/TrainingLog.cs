using System.Globalization;
using System.Text;
using System.Text.Json;
using Deepscope.IO;
using ScottPlot;

namespace Deepscope.Training;

/// <summary>
/// A run's logs in its directory: history.csv and history.json (one row per epoch: epoch, every named metric,
/// learning_rate, seconds, images_per_second; rewritten whole each epoch, atomically, so a resumed run never keeps rows
/// of an epoch it redid), TensorBoard scalars under tensorboard/ (each metric as NAME/train or NAME/eval, learning rate,
/// throughput) and curves.png (losses and the other metrics per epoch).
/// </summary>
public sealed class TrainingLog(string directory)
{
    public const string HistoryCsv = "history.csv", HistoryJson = "history.json", CurvesPng = "curves.png", TensorBoardDirectory = "tensorboard";

    readonly Lazy<TorchSharp.Modules.SummaryWriter> _board = new(() => TorchSharp.torch.utils.tensorboard.SummaryWriter(Path.Combine(directory, TensorBoardDirectory)));

    public void Write(IReadOnlyList<EpochRecord> history)
    {
        if (history.Count == 0) return;
        var columns = MetricNames(history);
        AtomicFile.WriteAllText(Path.Combine(directory, HistoryCsv), Csv(history, columns));
        var rows = history.Select(r =>
        {
            var row = new Dictionary<string, double?> { ["epoch"] = r.Epoch };
            foreach (var name in columns) row[name] = r.Metric(name);
            row["learning_rate"] = r.LearningRate;
            row["seconds"] = r.Seconds;
            row["images_per_second"] = r.ImagesPerSecond;
            return row;
        });
        AtomicFile.WriteAllText(Path.Combine(directory, HistoryJson), JsonSerializer.Serialize(rows, JsonFormat.Options));
        var last = history[^1];
        var board = _board.Value;
        foreach (var (name, value) in last.Metrics) board.add_scalar(TensorBoardTag(name), (float)value, last.Epoch);
        board.add_scalar("learning_rate", (float)last.LearningRate, last.Epoch);
        board.add_scalar("throughput/images_per_second", (float)last.ImagesPerSecond, last.Epoch);
        PlotCurves(history, Path.Combine(directory, CurvesPng));
    }

    /// <summary>Every metric name of the history, in order of first appearance (train metrics before eval metrics).</summary>
    static List<string> MetricNames(IReadOnlyList<EpochRecord> history)
    {
        var names = history.SelectMany(r => r.Metrics.Keys).Distinct().ToList();
        return [.. names.Where(n => n.StartsWith(EpochRecord.TrainPrefix, StringComparison.Ordinal)), .. names.Where(n => !n.StartsWith(EpochRecord.TrainPrefix, StringComparison.Ordinal))];
    }

    /// <summary>"train_loss" becomes "loss/train", so TensorBoard draws a metric's train and eval curves in one section.</summary>
    static string TensorBoardTag(string name)
    {
        int split = name.IndexOf('_');
        return split < 0 ? name : $"{name[(split + 1)..]}/{name[..split]}";
    }

    static string Csv(IReadOnlyList<EpochRecord> history, List<string> columns)
    {
        var csv = new StringBuilder($"epoch,{string.Concat(columns.Select(c => c + ","))}learning_rate,seconds,images_per_second\n");
        foreach (var r in history)
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Epoch},{string.Concat(columns.Select(c => string.Create(CultureInfo.InvariantCulture, $"{r.Metric(c):R},")))}{r.LearningRate:R},{r.Seconds:F3},{r.ImagesPerSecond:F1}"));
        return csv.ToString();
    }

    /// <summary>Losses (left axis) and the other metrics (right axis; accuracies in percent) against epoch.</summary>
    public static void PlotCurves(IReadOnlyList<EpochRecord> history, string path)
    {
        var plot = new Plot();
        double[] epochs = [.. history.Select(r => (double)r.Epoch)];
        var names = MetricNames(history).Where(n => history.All(r => r.Metrics.ContainsKey(n))).ToList();
        static bool IsLoss(string name) => name.EndsWith("loss", StringComparison.Ordinal);
        static bool IsAccuracy(string name) => name.EndsWith("accuracy", StringComparison.Ordinal);
        foreach (var name in names)
        {
            var line = plot.Add.Scatter(epochs, [.. history.Select(r => IsAccuracy(name) ? 100 * r.Metrics[name] : r.Metrics[name])]);
            line.LegendText = name.Replace('_', ' ') + (IsAccuracy(name) ? " (%)" : "");
            line.LinePattern = IsLoss(name) ? LinePattern.Solid : LinePattern.Dashed;
            if (!IsLoss(name)) line.Axes.YAxis = plot.Axes.Right;
        }
        plot.XLabel("epoch");
        plot.Axes.Left.Label.Text = "loss";
        plot.Axes.Right.Label.Text = names.Where(n => !IsLoss(n)).All(IsAccuracy) ? "accuracy (%)" : "metric";
        plot.ShowLegend(Alignment.MiddleRight);
        var png = plot.GetImageBytes(900, 500, ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, png);
    }
}
