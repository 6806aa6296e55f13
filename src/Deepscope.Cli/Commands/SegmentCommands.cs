using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Deepscope.Catalogs;
using Deepscope.Cli.Terminal;
using Deepscope.Runtime;
using Deepscope.Segmentation;

namespace Deepscope.Cli.Commands;

/// <summary>
/// <c>deepscope segment train --data DIR --output RUN [--encoder resnet18 --PARAM VALUE ...]</c> trains a segmenter of
/// huge images on patches; <c>deepscope segment predict --run RUN --input IMG --output MASK.tif [--defects CSV]</c>
/// predicts an image of any size tile by tile and lists its defects; <c>deepscope segment evaluate --run RUN --data DIR
/// --output PREDICTIONS</c> predicts and scores a labelled folder as the glass study does.
/// </summary>
static class SegmentCommands
{
    public static Command Create() => new("segment", "Pixel-wise defect segmentation of huge images: train an encoder-decoder, predict masks and defect lists") { Train(), Predict(), Evaluate() };

    static Command Train()
    {
        var output = new Option<string>("--output", "-o") { Description = "run folder (weights, segmenter.json, history; an unfinished run resumes)", Required = true };
        var seed = CommonOptions.Seed("the initialisation and the patch draw");
        var threads = CommonOptions.Threads();
        var command = new Command("train", "Train a segmenter on a folder with images/ and masks/; parameters as --name value " +
            "(--data, --validation, --encoder, --loss, --patch-size, --patches-per-epoch, --epochs, --batch-size, --learning-rate, ...)") { output, seed, threads };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            var options = OptionsBinder.Bind(new SegmenterOptions(), GenerateCommand.Parameters(parse.UnmatchedTokens), "segment train");
            TorchRuntime.Configure(parse.GetValue(threads));
            var folder = Path.GetFullPath(parse.GetValue(output)!);
            Directory.CreateDirectory(folder);
            Console.WriteLine($"{options.Encoder} encoder, {options.Loss} loss, {options.PatchesPerEpoch} patches of {options.PatchSize}px per epoch -> {folder}");
            var record = CliProgress.Run(p => SegmenterTraining.Train(options, folder, parse.GetValue(seed), p, r =>
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {r.Epoch,3}: train loss {r.TrainLoss:F4} | validation mIoU (all classes) {r.Metrics.GetValueOrDefault("eval_iou", double.NaN):F4} | {r.Seconds:F1}s"))));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best validation mIoU {record.ValidationIou:F4} at epoch {record.BestEpoch}, {record.TrainingSeconds:F0}s training"));
            return 0;
        });
        return command;
    }

    static Command Predict()
    {
        var run = new Option<string>("--run") { Description = "run folder of 'deepscope segment train'", Required = true };
        var input = new Option<string>("--input") { Description = "image to segment (8/16-bit grey TIFF, PNG, BMP; any size)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "predicted mask to write (8-bit TIFF of class indices), atomically", Required = true };
        var defects = new Option<string?>("--defects") { Description = "also write the predicted defects (connected components) to this CSV" };
        var microns = new Option<double>("--microns-per-pixel") { Description = "pixel size for the defect areas", DefaultValueFactory = _ => MaskEvaluation.DefaultMicronsPerPixel };
        var tile = new Option<int>("--tile")
        {
            Description = "tile core side in pixels (a multiple of the model's stride); the margin is the receptive-field radius", DefaultValueFactory = _ => TiledPredictor.DefaultTile,
        };
        var minSize = new Option<int>("--min-defect-size")
        {
            Description = "predicted components smaller than this many pixels across are not listed as defects", DefaultValueFactory = _ => MaskEvaluation.DefaultMinDefectSize,
        };
        var threads = CommonOptions.Threads();
        var command = new Command("predict", "Predict the class mask of an image of any size by overlapping tiles, and list its defects") { run, input, output, defects, microns, tile, minSize, threads };
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var (record, model) = SegmenterRecord.Load(parse.GetValue(run)!);
            using (model)
            {
                var predictor = new TiledPredictor(model, parse.GetValue(tile));
                var watch = Stopwatch.StartNew();
                var (height, width) = CliProgress.Run(p => predictor.PredictFile(parse.GetValue(input)!, parse.GetValue(output)!, p));
                double seconds = watch.Elapsed.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{width}x{height} predicted in {seconds:F1}s ({height * (double)width / 1e6 / seconds:F2} MP/s; tile {predictor.Tile}, margin {predictor.Margin}) -> {parse.GetValue(output)}"));
                if (parse.GetValue(defects) is { } csv)
                {
                    var components = MaskEvaluation.Components(parse.GetValue(output)!, parse.GetValue(minSize));
                    MaskEvaluation.WriteDefects(csv, components, record.Classes, parse.GetValue(microns));
                    Console.WriteLine($"{components.Count} defects -> {csv}");
                }
            }
            return 0;
        });
        return command;
    }

    static Command Evaluate()
    {
        var run = new Option<string>("--run") { Description = "run folder of 'deepscope segment train'", Required = true };
        var data = new Option<string>("--data") { Description = "labelled folder with images/ and masks/", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "folder for the predicted masks and defect CSVs", Required = true };
        var tile = new Option<int>("--tile") { Description = "tile core side in pixels", DefaultValueFactory = _ => TiledPredictor.DefaultTile };
        var minSize = new Option<int>("--min-defect-size") { Description = "defects at least this many pixels across count for recall", DefaultValueFactory = _ => MaskEvaluation.DefaultMinDefectSize };
        var microns = new Option<double>("--microns-per-pixel") { Description = "pixel size for the defect areas", DefaultValueFactory = _ => MaskEvaluation.DefaultMicronsPerPixel };
        var threads = CommonOptions.Threads();
        var command = new Command("evaluate", "Predict every image of a labelled folder and print per-class IoU, mean IoU, pixel accuracy, defect recall/precision and MP/s")
            { run, data, output, tile, minSize, microns, threads };
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var (record, model) = SegmenterRecord.Load(parse.GetValue(run)!);
            using (model)
            {
                var evaluation = CliProgress.Run(p => SegmenterEvaluation.Run(model, record.Classes, parse.GetValue(data)!, parse.GetValue(output)!, parse.GetValue(tile),
                    parse.GetValue(minSize), parse.GetValue(microns), p));
                var scores = evaluation.Scores;
                var i = CultureInfo.InvariantCulture;
                for (int c = 0; c < record.Classes.Count; c++) Console.WriteLine(string.Create(i, $"IoU {record.Classes[c],-12} {scores.Iou[c]:F4}"));
                Console.WriteLine(string.Create(i, $"mean IoU over the defect classes {scores.MeanIou:F4} (with background {scores.MeanIouWithBackground:F4}), pixel accuracy {scores.PixelAccuracy:F4}"));
                var d = evaluation.Defects;
                Console.WriteLine(string.Create(i, $"defects >= {d.MinSize} px: recall {d.Recall:F4} ({d.Found}/{d.TrueDefects}), precision {d.Precision:F4} ({d.ReportedMatched}/{d.Reported}; " +
                    $"over all {d.Predicted} predicted components {d.RawPrecision:F4}); {evaluation.MegapixelsPerSecond:F3} MP/s over {evaluation.Megapixels:F1} MP"));
            }
            return 0;
        });
        return command;
    }
}
