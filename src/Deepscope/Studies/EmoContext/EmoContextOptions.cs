using Deepscope.Catalogs;
using Deepscope.Text;

namespace Deepscope.Studies.EmoContext;

/// <summary>The EmoContext study: which models to compare on one data folder, all trained with the same settings.</summary>
public sealed record EmoContextOptions
{
    [Param(Description = "folder holding train.txt and dev.txt: relative to the experiment file when it exists there, else to the data directory")]
    public string Data { get; init; } = "emocontext";

    [Param(Description = "models compared, one stage each: lstm-baseline, bc-lstm, bc-lstm-att, tfidf-logreg")]
    public string[] Models { get; init; } = ["tfidf-logreg", "lstm-baseline", "bc-lstm", "bc-lstm-att"];

    [Param(Description = "misclassified dev dialogues shown per model", Min = 0, Max = 100)]
    public int ErrorExamples { get; init; } = 6;

    /// <summary>The settings every model is trained with (its model name and the run's seed are set per stage).</summary>
    public TextTrainingOptions Training { get; init; } = new();
}
