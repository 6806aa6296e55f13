using Deepscope.Anomaly;
using Deepscope.Data.Sources;
using Deepscope.Embedding;
using Deepscope.IO;
using Deepscope.Learners;
using Deepscope.Reports;
using static TorchSharp.torch;

namespace Deepscope.Studies.Inspection;

/// <summary>Scores of one method on the evaluation images (the labelled test folder, else the validation images).</summary>
public sealed record MethodScores(string Method, string Kind, double[] Scores);

/// <summary>
/// The evaluation images and the classifier's scores: ids, files and labels (1 = positive) of the evaluated set,
/// the fine-tuned CNN's positive probability for each (averaged over the folds' models), and the test folder's
/// probabilities for the submission.
/// </summary>
public sealed record InspectionEvaluation(string SetName, string[] Ids, string[] Files, int[] Labels, double[] Probabilities,
    string[] TestIds, double[] TestProbabilities, string FeaturesFolder);

/// <summary>The study's stages, one method each; their keys name every setting their result depends on.</summary>
sealed class InspectionStages(InspectionOptions options, StudyContext context)
{
    public InspectionData Data { get; } = InspectionData.Load(context.ResolvePath(options.Data), options.PositiveClass);
    string? TestFolder => options.Test is null ? null : context.ResolvePath(options.Test);
    string? TestLabels => options.TestLabels is null ? null : context.ResolvePath(options.TestLabels);

    /// <summary>The fold of each training image (k folds), or the hold-out as fold 0 of about 1/validation folds.</summary>
    int[] Folds => options.Folds >= 2 ? InspectionData.StratifiedFolds(Data.Labels, options.Folds, context.Seed)
        : InspectionData.HoldOutFolds(Data.Labels, options.HoldOutFraction, context.Seed);

    public int ModelCount => options.Folds >= 2 ? options.Folds : 1;

    object TrainingSettings => new
    {
        Data = Data.Source, options.PositiveClass, options.Model, Weights = options.Weights is null ? null : context.ResolvePath(options.Weights),
        options.ImageSize, options.Epochs, options.BatchSize, options.LearningRate, options.Imbalance, options.Augment, options.Tta,
        options.Validation, options.Folds, context.Seed,
    };

    StageKey ClassifierKey(int fold) => new("inspection-classifier", new { Settings = TrainingSettings, Fold = fold });
    public string ClassifierFolder(int fold) => context.Stages.ArtifactFolder(ClassifierKey(fold), $"{options.Model}-fold{fold}");

    public InspectionModel Classifier(int fold) => context.Stage(ClassifierKey(fold), $"{options.Model} fine-tuned, fold {fold + 1} of {ModelCount}", () =>
    {
        var (train, validation) = InspectionData.Split(Folds, fold);
        var folder = ClassifierFolder(fold);
        Directory.CreateDirectory(folder);
        return InspectionTraining.Train(options, Data, train, validation, folder, context.Seed + fold, context.Progress);
    });

    StageKey EvaluationKey => new("inspection-evaluation", new { Settings = TrainingSettings, Test = TestFolder, Labels = TestLabels });

    /// <summary>
    /// Scores the evaluation set and the test folder with every fold's model; the first model's features of all
    /// training images and of the evaluation set go to .npy files for the learner, the outlier scores and the embedding.
    /// </summary>
    public InspectionEvaluation Evaluation() => context.Stage(EvaluationKey, "scores of the evaluation and test images", () =>
    {
        var folds = Folds;
        var test = TestFolder is null ? [] : InspectionData.ListTest(TestFolder);
        var labels = TestLabels is null ? null : InspectionData.ReadLabels(TestLabels);
        string setName;
        string[] ids, files;
        int[] truth;
        // Test images are scored by every model; without test labels the first fold's validation images are scored by
        // the first model (the one whose features the learner and the outlier scores use), so no method sees them in training.
        int[] scoredBy;
        if (labels is not null)
        {
            var missing = test.FirstOrDefault(t => !labels.ContainsKey(t.Id));
            if (missing.Id is not null) throw new InvalidDataFileException(TestLabels!, $"no label for test image '{missing.Id}'");
            (setName, ids, files, truth) = ("test", [.. test.Select(t => t.Id)], [.. test.Select(t => t.Path)], [.. test.Select(t => labels[t.Id])]);
            scoredBy = [.. test.Select(_ => -1)];
        }
        else
        {
            var rows = Enumerable.Range(0, folds.Length).Where(i => folds[i] == 0).ToArray();
            (setName, ids, files, truth) = ("validation", [.. rows.Select(i => Path.GetFileNameWithoutExtension(Data.Files[i]))],
                [.. rows.Select(i => Data.Files[i])], [.. rows.Select(i => Data.Labels[i])]);
            scoredBy = [.. rows.Select(_ => 0)];
        }
        var probabilities = new double[files.Length];
        var testProbabilities = new double[test.Count];
        var featuresFolder = context.Stages.ArtifactFolder(EvaluationKey, "features");
        Directory.CreateDirectory(featuresFolder);
        for (int fold = 0; fold < ModelCount; fold++)
        {
            Classifier(fold);
            using var predictor = new InspectionPredictor(ClassifierFolder(fold));
            if (fold == 0)
            {
                WriteFeatures(Path.Combine(featuresFolder, "train.npy"), predictor.Score(Data.Files, context.Progress).Features);
            }
            var chosen = Enumerable.Range(0, files.Length).Where(i => scoredBy[i] is -1 || scoredBy[i] == fold).ToArray();
            var scores = chosen.Length == 0 ? null : predictor.Score([.. chosen.Select(i => files[i])], context.Progress);
            for (int j = 0; j < chosen.Length; j++) probabilities[chosen[j]] += scores!.Probabilities[j] / (setName == "test" ? ModelCount : 1);
            if (fold == 0) WriteFeatures(Path.Combine(featuresFolder, "evaluation.npy"), scores!.Features);
            if (test.Count > 0)
            {
                var t = setName == "test" ? scores! : predictor.Score([.. test.Select(x => x.Path)], context.Progress);
                for (int j = 0; j < test.Count; j++) testProbabilities[j] += t.Probabilities[j] / ModelCount;
            }
        }
        return new InspectionEvaluation(setName, ids, files, truth, probabilities, [.. test.Select(t => t.Id)], testProbabilities, featuresFolder);
    });

    static void WriteFeatures(string path, float[][] rows)
    {
        using var t = tensor(rows.SelectMany(r => r).ToArray()).view(rows.Length, rows[0].Length);
        Npy.Write(path, t);
    }

    /// <summary>The fitting rows of the first model (not evaluated on) and, for outliers, the good ones among them.</summary>
    long[] FitRows(InspectionEvaluation evaluation, bool goodOnly)
    {
        var (train, _) = InspectionData.Split(Folds, 0);
        var rows = evaluation.SetName == "test" ? Enumerable.Range(0, Data.Labels.Length).Select(i => (long)i).ToArray() : train;
        return goodOnly ? [.. rows.Where(r => Data.Labels[r] == 0)] : rows;
    }

    public MethodScores? Learner(InspectionEvaluation evaluation) => options.Learner is not { } name ? null
        : context.Stage(new StageKey("inspection-learner", new { Evaluation = EvaluationKey, Learner = name }), $"{name} on the CNN's features", () =>
        {
            using var scope = NewDisposeScope();
            var features = Npy.Read(Path.Combine(evaluation.FeaturesFolder, "train.npy"));
            var rows = FitRows(evaluation, goodOnly: false);
            var x = features.index_select(0, tensor(rows));
            var y = tensor(rows.Select(r => (long)Data.Labels[r]).ToArray());
            using var fitted = LearnerCatalog.Create(name).Fit(x, y);
            var scores = (fitted as Classifier)?.PositiveScores(Npy.Read(Path.Combine(evaluation.FeaturesFolder, "evaluation.npy")))
                ?? throw new DeepscopeException($"learner '{name}' gives no scores for a ROC curve");
            return new MethodScores($"CNN features + {name}", "classifier", scores);
        });

    public IEnumerable<MethodScores> Outliers(InspectionEvaluation evaluation) => options.Outliers.Select(name =>
        context.Stage(new StageKey("inspection-outliers", new { Evaluation = EvaluationKey, Scorer = name, options.AutoencoderEpochs }),
            $"outlier score '{name}' fitted on good images", () => OutlierScores(name, evaluation)));

    MethodScores OutlierScores(string name, InspectionEvaluation evaluation)
    {
        using var scope = NewDisposeScope();
        var good = FitRows(evaluation, goodOnly: true);
        if (name == "autoencoder")
        {
            int size = options.ImageSize / 8 * 8;
            var images = new ImageFolderSource(Data.Source, grayscale: true, resize: size);
            using var scorer = ReconstructionScorer.Fit(new SubsetSource(images, good), options.AutoencoderEpochs, context.Seed, context.Progress,
                context.Stages.ArtifactFolder(new StageKey("inspection-autoencoder", new { Evaluation = EvaluationKey, options.AutoencoderEpochs }), "autoencoder"));
            var decoder = new ImageDecoder(evaluation.Files[0], grayscale: true, resize: size, decode: null);
            var scores = new List<double>();
            foreach (var chunk in evaluation.Files.Chunk(InspectionPredictor.BatchSize))
            {
                using var batch = decoder.Stack(chunk);
                scores.AddRange(scorer.Score(batch));
            }
            return new MethodScores("autoencoder reconstruction", "outlier", [.. scores]);
        }
        var features = Npy.Read(Path.Combine(evaluation.FeaturesFolder, "train.npy")).index_select(0, tensor(good));
        var evaluated = Npy.Read(Path.Combine(evaluation.FeaturesFolder, "evaluation.npy"));
        using IOutlierScorer feature = name switch
        {
            "mahalanobis" => new MahalanobisScorer(features),
            "knn" => new NearestNeighbourScorer(features),
            _ => throw new DeepscopeException($"unknown outlier score '{name}'; use mahalanobis, knn or autoencoder"),
        };
        return new MethodScores(name == "knn" ? "k-NN distance (k = 5) on CNN features" : "Mahalanobis distance on CNN features", "outlier", feature.Score(evaluated));
    }

    /// <summary>The evaluation set's features embedded in 2-D and drawn coloured by class; the figure's path relative to the run.</summary>
    public string? Embedding(InspectionEvaluation evaluation) => options.Embedding is not { } method ? null
        : context.Stage(new StageKey("inspection-embedding", new { Evaluation = EvaluationKey, Method = method }), $"{method} of the CNN's features", () =>
        {
            using var features = Npy.Read(Path.Combine(evaluation.FeaturesFolder, "evaluation.npy"));
            var embedder = Embedders.Create(method) with { Seed = context.Seed };
            var result = embedder.Embed(features, context.Progress);
            string[] classes = [Data.Classes[1 - Data.PositiveIndex], Data.Classes[Data.PositiveIndex]];
            var plot = EmbeddingPlot.Scatter(result, [.. evaluation.Labels.Select(l => (long)l)], classes,
                new EmbeddingPlotOptions { Title = embedder.DisplayName, DataName = $"CNN features, {evaluation.SetName} images", Seed = context.Seed });
            var image = Path.Combine("figures", $"embedding-{method}.png");
            Directory.CreateDirectory(Path.Combine(context.RunDirectory, "figures"));
            EmbeddingPlot.Save(plot, Path.Combine(context.RunDirectory, image));
            return image;
        });
}
