using Deepscope.Data;
using Deepscope.Features;
using Deepscope.Reports;
using static TorchSharp.torch;

namespace Deepscope.Studies.FeatureComparison;

/// <summary>
/// The Project 1 pipeline as a study. Its grid, in order: for each dataset and feature set, every embedding and every
/// learner; then per dataset the fine-tuned CNN. Each cell is a stage of the run's store, saved as soon as it exists,
/// so a killed run resumes where it stopped and shards of the grid can run on several machines.
/// </summary>
public sealed class FeatureComparisonStudy(FeatureComparisonOptions options) : IStudy
{
    public FeatureComparisonOptions Options { get; } = options;

    /// <summary>One cell of the grid: an embedding, a learner, or (feature null) the dataset's fine-tune.</summary>
    internal sealed record Cell(DatasetSelection Dataset, FeatureSpec? Feature, string? EmbeddingMethod, LearnerSpec? Learner);

    internal IEnumerable<Cell> Cells()
    {
        foreach (var dataset in Options.Datasets)
        {
            foreach (var feature in Options.Features)
            {
                foreach (var method in Options.Embeddings?.Methods ?? []) yield return new Cell(dataset, feature, method, null);
                foreach (var learner in Options.Learners) yield return new Cell(dataset, feature, null, learner);
            }
            if (Options.Finetune is not null) yield return new Cell(dataset, null, null, null);
        }
    }

    public void Run(StudyContext context)
    {
        var stages = new FeatureComparisonStages(Options, context);
        var pending = context.MyCells(Cells()).Where(c => !stages.IsDone(c)).ToList();
        foreach (var byDataset in pending.GroupBy(c => c.Dataset))
        {
            var selection = byDataset.Key;
            // Images are loaded only when a pending cell needs them (not for features already stored).
            LabeledImages? train = null, test = null;
            (LabeledImages, LabeledImages) Images()
            {
                train ??= context.Time($"load {selection.Name} train", () => Subset(context.Datasets.Load(selection.Name, Split.Train), selection.TrainSubset));
                test ??= context.Time($"load {selection.Name} test", () => Subset(context.Datasets.Load(selection.Name, Split.Test), selection.TestSubset));
                return (train, test);
            }
            try
            {
                foreach (var byFeature in byDataset.Where(c => c.Feature is not null).GroupBy(c => c.Feature!))
                {
                    using var set = FeatureExtraction.GetOrExtract(selection, byFeature.Key, Images, context);
                    foreach (var cell in byFeature.Where(c => c.EmbeddingMethod is not null)) stages.Embed(cell, set);
                    stages.Classify(byFeature.Where(c => c.Learner is not null).ToList(), set);
                }
                if (byDataset.Any(c => c.Feature is null))
                {
                    var (fit, eval) = Images();
                    stages.FineTune(byDataset.First(c => c.Feature is null), fit, eval);
                }
            }
            finally
            {
                train?.Dispose();
                test?.Dispose();
            }
        }
    }

    public StudyReport Report(StudyContext context)
    {
        var stages = new FeatureComparisonStages(Options, context);
        foreach (var dataset in Options.Datasets)
            foreach (var feature in Options.Features)
                context.Lookup<string>(FeatureExtraction.Key(dataset, feature, context), context.Cache);
        var results = new List<LearnerResult>();
        var figures = new List<EmbeddingFigure>();
        foreach (var cell in Cells())
        {
            if (cell.EmbeddingMethod is not null)
            {
                if (stages.Figure(cell) is { } figure) figures.Add(figure with { ImagePath = Path.Combine(context.RunDirectory, figure.ImagePath) });
            }
            else if (stages.Result(cell) is { } result) results.Add(result);
        }
        var content = new ReportContent($"{context.Name}: features x learners", context.ConfigText, StudyHost.Environment(context),
            results, figures, context.Timings);
        return new StudyReport(ExperimentReport.Document(content, context.RunDirectory), results);
    }

    static LabeledImages Subset(LabeledImages all, int? count)
    {
        if (count is not { } n || n >= all.Count) return all;
        // Take() gives views: copy them so the full set can be freed, then release the views too.
        using (all)
        using (var view = all.Take(n))
            return new LabeledImages(view.Images.clone(), view.Labels.clone(), view.Classes, view.Source, view.Groups?.clone());
    }
}
