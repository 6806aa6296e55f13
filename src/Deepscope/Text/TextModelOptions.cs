using Deepscope.Catalogs;
using Deepscope.Models.Text;
using static TorchSharp.torch;

namespace Deepscope.Text;

/// <summary>How decision thresholds follow the shift of class priors between training (half <c>others</c>) and test (most <c>others</c>).</summary>
public enum Calibration
{
    /// <summary>The most probable class.</summary>
    None,
    /// <summary>Log-probabilities shifted by log(dev prior / train prior) per class: Bayes' rule for the dev prior.</summary>
    Prior,
    /// <summary>Per-class log-probability offsets chosen on dev to maximise the official micro-F1 (coordinate search).</summary>
    Tuned,
}

/// <summary>Everything a text run is trained from (recorded in the run folder, read back by predict).</summary>
public sealed record TextTrainingOptions
{
    [Param(Description = "model: lstm-baseline, bc-lstm, bc-lstm-att (neural) or tfidf-logreg")]
    public string Model { get; init; } = "bc-lstm";
    [Param(Description = "passes over the training dialogues; the epoch with the best dev micro-F1 is kept", Min = 1, Max = 1000)]
    public int Epochs { get; init; } = 4;
    [Param(Min = 1, Max = 100_000)]
    public int BatchSize { get; init; } = 128;
    [Param(Description = "Adam's learning rate", Min = 1e-6, Max = 1)]
    public double LearningRate { get; init; } = 3e-3;
    [Param(Description = "clip the gradient norm to this (0: off)", Min = 0)]
    public double ClipNorm { get; init; } = 5;
    [Param(Description = "token vector size (taken from the file with a vectors path)", Min = 1, Max = 2000)]
    public int EmbeddingSize { get; init; } = 100;
    [Param(Description = "LSTM size per direction over tokens", Min = 1, Max = 4096)]
    public int Hidden { get; init; } = 64;
    [Param(Description = "LSTM size per direction across turns (bc-LSTM)", Min = 1, Max = 4096)]
    public int ContextHidden { get; init; } = 64;
    [Param(Min = 0, Max = 0.95)]
    public double Dropout { get; init; } = 0.3;
    [Param(Description = "training occurrences a token needs to get its own id", Min = 1)]
    public int MinCount { get; init; } = 2;
    [Param(Description = "tokens kept per turn (with its end-of-turn token in the per-turn layout)", Min = 2, Max = 1000)]
    public int TurnTokens { get; init; } = 20;
    [Param(Description = "token vectors: skip-gram (trained here on the training turns), random, or a GloVe/word2vec text file")]
    public string Embeddings { get; init; } = "skip-gram";
    public SkipGramOptions SkipGram { get; init; } = new();
    public TfIdfOptions TfIdf { get; init; } = new();
    [Param(Description = "inverse L2 strength of the TF-IDF logistic regression", Min = 1e-6)]
    public double C { get; init; } = 10;
    public Calibration Calibration { get; init; } = Calibration.Tuned;
    public long Seed { get; init; }
}

/// <summary>A text model by name: the neural ones with their layout and factory; <c>tfidf-logreg</c> has neither.</summary>
public sealed record TextModelKind(string Name, string Description, TurnLayout? Layout, Func<DialogueModelSize, nn.Module<Tensor, Tensor>>? Create)
{
    public const string TfIdfLogisticRegression = "tfidf-logreg";

    public bool IsNeural => Create is not null;

    public static IReadOnlyList<TextModelKind> All { get; } =
    [
        new("lstm-baseline", "the organisers' baseline: one LSTM over the turns joined by an end-of-turn token", TurnLayout.Joined, s => new LstmBaseline(s)),
        new("bc-lstm", "bc-LSTM: a shared BiLSTM per turn (max-pooled), a BiLSTM across the three turns", TurnLayout.PerTurn, s => new BcLstm(s)),
        new("bc-lstm-att", "bc-LSTM with attention pooling over tokens and a two-layer head on the last turn and its context", TurnLayout.PerTurn, s => new AttentiveBcLstm(s)),
        new(TfIdfLogisticRegression, "TF-IDF of word uni- and bigrams (last turn's words marked) + the learner catalog's logistic regression", null, null),
    ];

    public static TextModelKind Get(string name) => All.FirstOrDefault(k => k.Name == name)
        ?? throw new DeepscopeException($"unknown text model '{name}'; the models are {string.Join(", ", All.Select(k => k.Name))}");
}
