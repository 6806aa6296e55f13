using Deepscope.Data.Sources;
using Deepscope.IO;
using Deepscope.Learners;
using Deepscope.Models.Text;
using Deepscope.Training;
using Deepscope.Training.Metrics;
using static TorchSharp.torch;

namespace Deepscope.Text;

/// <summary>What a text run measured on dev; stored in the run folder with its options.</summary>
public sealed record TextRunSummary(string Model, long Seed, int Vocabulary, long Parameters, int BestEpoch, double TrainingSeconds,
    double EmbeddingSeconds, double SequencesPerSecond, double[] Offsets, F1Scores DevRaw, F1Scores DevCalibrated, long[][] DevConfusion,
    IReadOnlyList<EpochRecord> History);

/// <summary>The record of a run folder: its options and summary (<c>text-run.json</c>).</summary>
public sealed record TextRunRecord(TextTrainingOptions Options, TextRunSummary Summary);

/// <summary>
/// A trained text classifier read back from its run folder: the tokenizer's vocabulary and the model (or the TF-IDF
/// terms and the logistic regression), with the calibrated offsets. <see cref="Predict"/> labels any EmoContext file.
/// </summary>
public sealed class TextRun : IDisposable
{
    public const string RecordFile = "text-run.json", VocabularyFile = "vocabulary.txt", ModelFile = "model.bin",
        TfIdfFile = "tfidf.json", LinearFile = "logreg.npz", DevPredictionsFile = "dev-predictions.txt";

    readonly nn.Module<Tensor, Tensor>? _network;
    readonly DialogueEncoder? _encoder;
    readonly TfIdf? _tfIdf;
    readonly LinearModel? _linear;

    internal TextRun(TextRunRecord record, nn.Module<Tensor, Tensor> network, DialogueEncoder encoder) => (Record, _network, _encoder) = (record, network, encoder);
    internal TextRun(TextRunRecord record, TfIdf tfIdf, LinearModel linear) => (Record, _tfIdf, _linear) = (record, tfIdf, linear);

    public TextRunRecord Record { get; }

    public static TextRun Load(string folder)
    {
        var path = Path.Combine(folder, RecordFile);
        if (!File.Exists(path)) throw new InvalidDataFileException(path, "not found: is this a 'deepscope text train' output folder?");
        var record = JsonFormat.Read<TextRunRecord>(path);
        var kind = TextModelKind.Get(record.Options.Model);
        if (!kind.IsNeural)
        {
            var terms = JsonFormat.Read<TfIdfTerms>(Path.Combine(folder, TfIdfFile));
            var arrays = Npy.ReadNpz(Path.Combine(folder, LinearFile));
            var linear = new LinearModel([0, 1, 2, 3], terms.Terms.Count, arrays["coef"], arrays["intercept"], probabilistic: true);
            return new TextRun(record, new TfIdf(terms.Terms, terms.Idf, terms.MaxNgram), linear);
        }
        var vocabulary = Vocabulary.Load(Path.Combine(folder, VocabularyFile));
        var network = TextTraining.Build(kind, record.Options, vocabulary.Count, record.Options.EmbeddingSize);
        network.load(Path.Combine(folder, ModelFile));
        return new TextRun(record, network, new DialogueEncoder(vocabulary, kind.Layout!.Value, record.Options.TurnTokens));
    }

    /// <summary>Log-probabilities (N, 4) of the dialogues, before calibration.</summary>
    public float[,] LogProbabilities(IReadOnlyList<IReadOnlyList<List<string>>> dialogues)
    {
        if (_tfIdf is not null)
        {
            using var scope = NewDisposeScope();
            var x = _tfIdf.Transform([.. dialogues.Select(TextTraining.TfIdfDocument)]);
            return ToArray(_linear!.PredictProbabilities(x).log());
        }
        return LogProbabilities(_network!, Source(_encoder!, dialogues, null));
    }

    /// <summary>Calibrated class indices of the dialogues.</summary>
    public long[] Predict(IReadOnlyList<IReadOnlyList<List<string>>> dialogues) =>
        ThresholdCalibration.Predict(LogProbabilities(dialogues), Record.Summary.Offsets);

    public static IReadOnlyList<IReadOnlyList<List<string>>> Tokenize(EmoContextFile file) => [.. file.Dialogues.Select(DialogueEncoder.Tokenize)];

    internal static TokenSequenceSource Source(DialogueEncoder encoder, IReadOnlyList<IReadOnlyList<List<string>>> dialogues, long[]? labels) =>
        new([.. dialogues.Select(encoder.Encode)], labels, EmoContextFile.Classes, encoder.FixedLength, Vocabulary.PaddingId);

    internal static float[,] LogProbabilities(nn.Module<Tensor, Tensor> network, IDataSource source)
    {
        network.eval();
        var result = new float[source.Count, EmoContextFile.Classes.Count];
        using var _ = no_grad();
        int written = 0;
        foreach (var batch in new BatchLoader(source, 512).Epoch(0))
            using (batch)
            using (var scope = NewDisposeScope())
            {
                var rows = ToArray(network.forward(batch[Fields.Input]).log_softmax(1));
                Buffer.BlockCopy(rows, 0, result, written * sizeof(float), rows.Length * sizeof(float));
                written += rows.Length;
            }
        return result;
    }

    static float[,] ToArray(Tensor logProbabilities)
    {
        var values = logProbabilities.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        var rows = new float[logProbabilities.shape[0], logProbabilities.shape[1]];
        Buffer.BlockCopy(values, 0, rows, 0, values.Length * sizeof(float));
        return rows;
    }

    public void Dispose()
    {
        _network?.Dispose();
        _linear?.Dispose();
    }
}

/// <summary>The TF-IDF vocabulary as stored in a run folder.</summary>
public sealed record TfIdfTerms(IReadOnlyList<string> Terms, IReadOnlyList<float> Idf, int MaxNgram);
