using System.Diagnostics;
using System.Globalization;
using Deepscope.Data;
using Deepscope.Models;
using Deepscope.Models.Dcf;
using Deepscope.Reports;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Studies.DcfNet;

/// <summary>One trained network of the grid: what it is, its size, accuracy, speed and stability.</summary>
public sealed record DcfNetResult(string Dataset, string Model, string Bases, long Parameters, long ConvolutionParameters, double Accuracy,
    int Epochs, double TrainingSeconds, double TrainImagesPerSecond, double InferenceImagesPerSecond, IReadOnlyList<StabilityResult> Stability,
    IReadOnlyList<double> EpochAccuracies, string? FiltersFigure);

/// <summary>
/// DCFNet (Qiu, Cheng, Calderbank and Sapiro, ICML 2018, section 4): regular networks against the same networks with
/// their convolutions decomposed over K Fourier-Bessel bases (<see cref="DcfConversion"/>), on each dataset with the
/// same training budget and seed: accuracy, parameters, training and inference images/s, and the stability of the
/// representation under small deformations and rotations. The report shows the bases and one layer's rebuilt filters.
/// </summary>
public sealed class DcfNetStudy(DcfNetOptions options) : IStudy
{
    /// <summary>A grid cell: a dataset and a K (null: the regular network; "max": all bases).</summary>
    public sealed record Cell(string Dataset, string? Bases);

    IEnumerable<Cell> Cells() => options.Datasets.SelectMany(d => new string?[] { null }.Concat(options.BasisCounts).Select(k => new Cell(d, k)));

    StageKey Key(Cell cell, StudyContext context) => new("dcfnet-train", new
    {
        cell.Dataset, cell.Bases, options.LearnableBases, options.GrayModel, options.ColorModel, options.Epochs, options.BatchSize, options.LearningRate,
        options.TrainLimit, options.TestLimit, options.AugmentColor, options.StabilityImages, options.DeformationPixels, options.RotationDegrees, context.Seed,
    });

    public void Run(StudyContext context)
    {
        foreach (var cell in context.MyCells(Cells()))
            context.Stage(Key(cell, context), $"{cell.Dataset}: {(cell.Bases is null ? "regular" : $"DCF K = {cell.Bases}")}", () => Train(cell, context));
    }

    DcfNetResult Train(Cell cell, StudyContext context)
    {
        using var splits = TrainTestImages.Load(context, cell.Dataset, options.TrainLimit, options.TestLimit);
        var (train, test) = (splits.Train, splits.Test);
        bool color = train.ImageShape[0] == 3;
        var regular = ModelZoo.Get(color ? options.ColorModel : options.GrayModel);
        var spec = cell.Bases is null ? regular : regular with
        {
            Name = $"dcf-{regular.Name} K={cell.Bases}",
            Create = s => DcfConversion.Convert(regular.Create(s), new DcfOptions { BasisCount = DcfNetworks.ParseBasisCount(cell.Bases), LearnableBases = options.LearnableBases }),
        };
        var (fit, eval) = (Examples.From(train), Examples.From(test));
        var setup = ClassifierSetup.Build(spec, fit, train.ImageShape[1], context.Seed);
        using var model = setup.Model;
        var training = ClassifierTraining.Defaults(options.Epochs, options.BatchSize, options.LearningRate, context.Seed);
        if (color && options.AugmentColor) training = training with { Augmentation = new Augmentation(CropPadding: 4, HorizontalFlip: true) };
        var directory = context.Stages.ArtifactFolder(Key(cell, context), $"{cell.Dataset}-{(cell.Bases is null ? "regular" : "dcf-k" + cell.Bases)}");
        var outcome = setup.Fit(new Trainer(training) { OutputDirectory = directory, Resume = true, Progress = context.Progress }, fit, eval);
        RunRecord.SaveModel(directory, model);

        var clock = Stopwatch.StartNew();
        var (predictions, _) = Evaluation.Predict(model, eval, setup.Transform, training.EvalBatchSize);
        double inference = eval.Count / clock.Elapsed.TotalSeconds;
        double accuracy;
        using (predictions) using (var hits = predictions.eq(test.Labels)) accuracy = hits.to_type(ScalarType.Float64).mean().item<double>();
        var stability = Stability.Measure(model, eval, setup.Transform, options.StabilityImages, options.DeformationPixels, options.RotationDegrees, context.Seed);
        var figure = FilterMosaic.FirstDcfLayer(model, Path.Combine(directory, "filters.png"));
        return new DcfNetResult(cell.Dataset, regular.Name, cell.Bases ?? "regular", model.parameters().Sum(p => p.numel()),
            DcfConversion.ConvolutionParameters(model), accuracy, outcome.History.Count, outcome.TrainingSeconds,
            outcome.History.Count == 0 ? 0 : outcome.History.Average(e => e.ImagesPerSecond), inference, stability,
            outcome.History.Select(e => e.EvalAccuracy ?? double.NaN).ToList(), figure);
    }

    public StudyReport Report(StudyContext context)
    {
        var results = Cells().Select(c => context.Lookup<DcfNetResult>(Key(c, context))?.Value).OfType<DcfNetResult>().ToList();
        static string F(double v, string format = "F2") => v.ToString(format, CultureInfo.InvariantCulture);
        var blocks = new List<ReportBlock>
        {
            new Paragraphs([
                $"Regular networks against their DCF versions (convolutions decomposed over K Fourier-Bessel bases), {options.Epochs} epochs each, " +
                $"batch {options.BatchSize}, SGD lr {F(options.LearningRate, "G")} with a cosine schedule, seed {context.Seed}" +
                (options.TrainLimit > 0 ? $", the first {options.TrainLimit} training images" : "") + ".",
                "Stability: relative change of the representation (the input of the last layer) and accuracy after a smooth deformation and a rotation of the test images."]),
            new Heading("Accuracy, size and speed"),
            new Table(["dataset", "model", "K", "parameters", "conv parameters", "test accuracy %", "epochs", "train img/s", "inference img/s"],
                results.Select(r => (IReadOnlyList<string>)[r.Dataset, r.Model, r.Bases, r.Parameters.ToString("N0", CultureInfo.InvariantCulture),
                    r.ConvolutionParameters.ToString("N0", CultureInfo.InvariantCulture), F(100 * r.Accuracy), r.Epochs.ToString(CultureInfo.InvariantCulture),
                    F(r.TrainImagesPerSecond, "F0"), F(r.InferenceImagesPerSecond, "F0")]).ToList(), RightAligned: new HashSet<int> { 3, 4, 5, 6, 7, 8 }),
            new Heading("Stability under small deformations and rotations"),
            new Table(["dataset", "model", "K", "transformation", "relative representation change", "accuracy %", "transformed accuracy %"],
                results.SelectMany(r => r.Stability.Select(s => (IReadOnlyList<string>)[r.Dataset, r.Model, r.Bases, s.Transformation,
                    F(s.RelativeRepresentationChange, "F4"), F(100 * s.Accuracy), F(100 * s.TransformedAccuracy)])).ToList(), RightAligned: new HashSet<int> { 4, 5, 6 }),
            new Heading("Bases and rebuilt filters"),
        };
        blocks.AddRange(results.Where(r => r.FiltersFigure is not null).Select(r =>
            new Figure(Path.GetRelativePath(context.RunDirectory, r.FiltersFigure!), $"{r.Dataset}, {r.Model} K = {r.Bases}: the {(options.LearnableBases ? "learned " : "")}bases (top row) and the first DCF layer's rebuilt filters")));
        return new StudyReport(new ReportDocument("DCFNet: convolutions decomposed over Fourier-Bessel bases", blocks), results);
    }
}
