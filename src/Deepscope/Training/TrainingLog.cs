using System.Globalization;
using System.Text;
using System.Text.Json;
using Deepscope.IO;
using ScottPlot;

namespace Deepscope.Training;

/// <summary>
/// A run's logs in its directory: history.csv and history.json (rewritten whole each epoch, atomically, so a resumed
/// run never keeps rows of an epoch it redid), TensorBoard scalars under tensorboard/ (loss, accuracy, learning rate)
/// and curves.png (loss and accuracy per epoch).
/// </summary>
public sealed class TrainingLog(string directory)
{
    public const string HistoryCsv = "history.csv", HistoryJson = "history.json", CurvesPng = "curves.png", TensorBoardDirectory = "tensorboard";

    readonly Lazy<TorchSharp.Modules.SummaryWriter> _board = new(() => TorchSharp.torch.utils.tensorboard.SummaryWriter(Path.Combine(directory, TensorBoardDirectory)));

    public void Write(IReadOnlyList<EpochRecord> history)
    {
        if (history.Count == 0) return;
        AtomicFile.WriteAllText(Path.Combine(directory, HistoryCsv), Csv(history));
        AtomicFile.WriteAllText(Path.Combine(directory, HistoryJson), JsonSerializer.Serialize(history, JsonFormat.Options));
        var last = history[^1];
        var board = _board.Value;
        board.add_scalar("loss/train", (float)last.TrainLoss, last.Epoch);
        board.add_scalar("accuracy/train", (float)last.TrainAccuracy, last.Epoch);
        if (last.EvalLoss is { } evalLoss) board.add_scalar("loss/eval", (float)evalLoss, last.Epoch);
        if (last.EvalAccuracy is { } evalAccuracy) board.add_scalar("accuracy/eval", (float)evalAccuracy, last.Epoch);
        board.add_scalar("learning_rate", (float)last.LearningRate, last.Epoch);
        board.add_scalar("throughput/images_per_second", (float)last.ImagesPerSecond, last.Epoch);
        PlotCurves(history, Path.Combine(directory, CurvesPng));
    }

    static string Csv(IReadOnlyList<EpochRecord> history)
    {
        var csv = new StringBuilder("epoch,train_loss,train_accuracy,eval_loss,eval_accuracy,learning_rate,seconds,images_per_second\n");
        foreach (var r in history)
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Epoch},{r.TrainLoss:R},{r.TrainAccuracy:R},{r.EvalLoss:R},{r.EvalAccuracy:R},{r.LearningRate:R},{r.Seconds:F3},{r.ImagesPerSecond:F1}"));
        return csv.ToString();
    }

    /// <summary>Loss (left axis) and accuracy in percent (right axis) against epoch, for training and evaluation.</summary>
    public static void PlotCurves(IReadOnlyList<EpochRecord> history, string path)
    {
        var plot = new Plot();
        double[] epochs = [.. history.Select(r => (double)r.Epoch)];
        void Add(double[] ys, string label, bool accuracy, bool dashed)
        {
            var line = plot.Add.Scatter(epochs, ys);
            line.LegendText = label;
            line.LinePattern = dashed ? LinePattern.Dashed : LinePattern.Solid;
            if (accuracy) line.Axes.YAxis = plot.Axes.Right;
        }
        Add([.. history.Select(r => r.TrainLoss)], "train loss", false, false);
        Add([.. history.Select(r => 100 * r.TrainAccuracy)], "train accuracy (%)", true, true);
        if (history.All(r => r.EvalLoss is not null))
        {
            Add([.. history.Select(r => r.EvalLoss!.Value)], "eval loss", false, false);
            Add([.. history.Select(r => 100 * r.EvalAccuracy!.Value)], "eval accuracy (%)", true, true);
        }
        plot.XLabel("epoch");
        plot.Axes.Left.Label.Text = "loss";
        plot.Axes.Right.Label.Text = "accuracy (%)";
        plot.ShowLegend(Alignment.MiddleRight);
        var png = plot.GetImageBytes(900, 500, ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, png);
    }
}
