using System.Diagnostics;
using System.Text.Json;
using Deepscope.IO;
using Deepscope.Learners;
using Deepscope.Models.Text;
using Deepscope.Training;
using Deepscope.Training.Metrics;
using static TorchSharp.torch;

namespace Deepscope.Text;

/// <summary>
/// Trains a text model on EmoContext's training file and tunes on its dev file, into a run folder: the tokens, the
/// vocabulary (minimum count), the token vectors (skip-gram on the training turns, a vectors file, or random), the
/// model trained by the general trainer (Adam, the epoch with the best dev micro-F1 kept), the decision offsets
/// calibrated on dev, and the official dev metrics. A TF-IDF model goes through the learner catalog instead.
/// </summary>
public static class TextTraining
{
    public static TextRunRecord Train(TextTrainingOptions options, string trainPath, string devPath, string output, IProgressReporter? progress = null)
    {
        progress ??= NoProgress.Instance;
        var kind = TextModelKind.Get(options.Model);
        var train = EmoContextFile.Read(trainPath);
        var dev = EmoContextFile.Read(devPath);
        var (trainLabels, devLabels) = (train.LabelIndices(), dev.LabelIndices());
        var trainTokens = TextRun.Tokenize(train);
        var devTokens = TextRun.Tokenize(dev);
        Directory.CreateDirectory(output);
        var clock = Stopwatch.StartNew();
        var (run, fit) = kind.IsNeural
            ? TrainNetwork(kind, options, trainTokens, trainLabels, devTokens, devLabels, output, progress)
            : TrainTfIdf(options, trainTokens, trainLabels, output);
        using (run)
        {
            var logProbabilities = run.LogProbabilities(devTokens);
            var offsets = ThresholdCalibration.Fit(options.Calibration, logProbabilities, devLabels, trainLabels);
            var raw = ThresholdCalibration.Predict(logProbabilities, new double[offsets.Length]);
            var calibrated = ThresholdCalibration.Predict(logProbabilities, offsets);
            var summary = fit with
            {
                TrainingSeconds = clock.Elapsed.TotalSeconds,
                Offsets = offsets,
                DevRaw = ThresholdCalibration.Score(devLabels, raw),
                DevCalibrated = ThresholdCalibration.Score(devLabels, calibrated),
                DevConfusion = Confusion(devLabels, calibrated),
            };
            var record = run.Record with { Summary = summary };
            dev.WriteWithLabels(Path.Combine(output, TextRun.DevPredictionsFile), [.. calibrated.Select(c => EmoContextFile.Classes[(int)c])]);
            AtomicFile.WriteAllText(Path.Combine(output, TextRun.RecordFile), JsonSerializer.Serialize(record, JsonFormat.Options));
            return record;
        }
    }

    static (TextRun Run, TextRunSummary Fit) TrainNetwork(TextModelKind kind, TextTrainingOptions options, IReadOnlyList<IReadOnlyList<List<string>>> trainTokens,
        long[] trainLabels, IReadOnlyList<IReadOnlyList<List<string>>> devTokens, long[] devLabels, string output, IProgressReporter progress)
    {
        var vocabulary = Vocabulary.Build(trainTokens.SelectMany(turns => turns), options.MinCount);
        var encoder = new DialogueEncoder(vocabulary, kind.Layout!.Value, options.TurnTokens);
        var embeddingClock = Stopwatch.StartNew();
        var (vectors, dimensions) = TokenVectors(options, vocabulary, trainTokens, progress);
        double embeddingSeconds = embeddingClock.Elapsed.TotalSeconds;
        random.manual_seed(options.Seed);
        var network = Build(kind, options, vocabulary.Count, dimensions);
        if (vectors is not null) SetEmbedding(network, vectors, dimensions);
        var training = new TrainingOptions
        {
            Epochs = options.Epochs, BatchSize = options.BatchSize, Seed = options.Seed, GradientClipNorm = options.ClipNorm,
            Optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = options.LearningRate },
        };
        var result = new Trainer(training)
        {
            Metrics = [new LossMetric(Losses.CrossEntropy), new AccuracyMetric(), new MicroF1Metric(EmoContextFile.Classes.Count, EmoContextFile.OthersClass)],
            Monitor = "micro_f1",
            OutputDirectory = output,
            Progress = progress,
        }.Fit(ModelSet.Classifier(TrainingTarget.Whole(network), training), TextRun.Source(encoder, trainTokens, trainLabels), TextRun.Source(encoder, devTokens, devLabels));
        network.load(Path.Combine(output, Trainer.BestWeightsFile));
        AtomicFile.Write(Path.Combine(output, TextRun.ModelFile), s => network.save(s));
        vocabulary.Save(Path.Combine(output, TextRun.VocabularyFile));
        var speeds = result.History.Select(h => h.ImagesPerSecond).Order().ToList();
        var fit = Summary(options, vocabulary.Count, network.parameters().Sum(p => p.numel()), result.BestEpoch, embeddingSeconds, speeds[speeds.Count / 2], result.History);
        return (new TextRun(new TextRunRecord(options with { EmbeddingSize = dimensions }, fit), network, encoder), fit);
    }

    static TextRunSummary Summary(TextTrainingOptions options, int vocabulary, long parameters, int bestEpoch, double embeddingSeconds, double speed,
        IReadOnlyList<EpochRecord> history) =>
        new(options.Model, options.Seed, vocabulary, parameters, bestEpoch, 0, embeddingSeconds, speed, [], null!, null!, [], history);

    /// <summary>The network of <paramref name="kind"/> for a vocabulary and vector size, with the options' sizes.</summary>
    public static nn.Module<Tensor, Tensor> Build(TextModelKind kind, TextTrainingOptions options, int vocabulary, int dimensions) =>
        kind.Create!(new DialogueModelSize(vocabulary, dimensions, options.Hidden, options.ContextHidden, options.Dropout));

    /// <summary>Token vectors (vocabulary x dimensions) as the options ask, or null for the model's random start.</summary>
    static (float[]? Vectors, int Dimensions) TokenVectors(TextTrainingOptions options, Vocabulary vocabulary, IReadOnlyList<IReadOnlyList<List<string>>> trainTokens,
        IProgressReporter progress)
    {
        switch (options.Embeddings)
        {
            case "random":
                return (null, options.EmbeddingSize);
            case "skip-gram":
                var texts = trainTokens.SelectMany(turns => turns.Select(vocabulary.Encode)).ToList();
                var skipGram = options.SkipGram with { Dimensions = options.EmbeddingSize, Seed = options.Seed };
                return (SkipGram.Train(texts, vocabulary.Count, skipGram, progress), options.EmbeddingSize);
            default:
                var random = new Random(unchecked((int)options.Seed));
                var (vectors, dimensions, _) = WordVectors.Load(options.Embeddings, vocabulary,
                    d => [.. Enumerable.Range(0, vocabulary.Count * d).Select(_ => (float)((random.NextDouble() - 0.5) * 0.2))]);
                return (vectors, dimensions);
        }
    }

    static void SetEmbedding(nn.Module<Tensor, Tensor> network, float[] vectors, int dimensions)
    {
        using var _ = no_grad();
        var weight = network.named_parameters().First(p => p.name == "embedding.weight").parameter;
        using var values = tensor(vectors).view(-1, dimensions);
        weight.copy_(values);
        weight[Vocabulary.PaddingId].zero_();
    }

    /// <summary>Turns 1 and 2, then turn 3, joined by end-of-turn tokens, then turn 3's tokens marked as the last turn's.</summary>
    internal static IReadOnlyList<string> TfIdfDocument(IReadOnlyList<List<string>> turns) =>
        [.. turns[0], Vocabulary.EndOfTurn, .. turns[1], Vocabulary.EndOfTurn, .. turns[2], Vocabulary.EndOfTurn, .. turns[2].Select(t => "3:" + t)];

    static (TextRun Run, TextRunSummary Fit) TrainTfIdf(TextTrainingOptions options, IReadOnlyList<IReadOnlyList<List<string>>> trainTokens, long[] trainLabels,
        string output)
    {
        var documents = trainTokens.Select(TfIdfDocument).ToList();
        var tfIdf = TfIdf.Fit(documents, options.TfIdf);
        LinearModel linear;
        using (var x = tfIdf.Transform(documents))
        using (var y = tensor(trainLabels))
            linear = (LinearModel)LearnerCatalog.Create("logreg", new Dictionary<string, string> { ["C"] = options.C.ToString(System.Globalization.CultureInfo.InvariantCulture) }).Fit(x, y);
        AtomicFile.WriteAllText(Path.Combine(output, TextRun.TfIdfFile), JsonSerializer.Serialize(new TfIdfTerms(tfIdf.Terms, tfIdf.Idf, tfIdf.MaxNgram), JsonFormat.Options));
        Npy.WriteNpz(Path.Combine(output, TextRun.LinearFile), new Dictionary<string, Tensor> { ["coef"] = linear.Coef, ["intercept"] = linear.Intercept });
        var fit = Summary(options, tfIdf.Terms.Count, linear.Coef.numel() + linear.Intercept.numel(), 0, 0, 0, []);
        return (new TextRun(new TextRunRecord(options, fit), tfIdf, linear), fit);
    }

    static long[][] Confusion(IReadOnlyList<long> truth, IReadOnlyList<long> predicted)
    {
        int k = EmoContextFile.Classes.Count;
        var confusion = Enumerable.Range(0, k).Select(_ => new long[k]).ToArray();
        for (int i = 0; i < truth.Count; i++) confusion[truth[i]][predicted[i]]++;
        return confusion;
    }
}
