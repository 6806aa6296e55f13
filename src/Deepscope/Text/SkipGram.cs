using Deepscope.Catalogs;

namespace Deepscope.Text;

/// <summary>Hyper-parameters of skip-gram word2vec with negative sampling (word2vec.c's defaults, except the size).</summary>
public sealed record SkipGramOptions
{
    [Param(Description = "vector dimensions", Min = 1, Max = 1000)]
    public int Dimensions { get; init; } = 100;
    [Param(Description = "largest context distance (each centre draws its window uniformly in 1..window)", Min = 1, Max = 50)]
    public int Window { get; init; } = 5;
    [Param(Description = "negative samples per context word (unigram^0.75)", Min = 1, Max = 50)]
    public int Negatives { get; init; } = 5;
    [Param(Description = "passes over the corpus", Min = 1, Max = 1000)]
    public int Epochs { get; init; } = 5;
    [Param(Description = "initial learning rate, decayed linearly to 1e-4 of it", Min = 1e-6, Max = 1)]
    public double LearningRate { get; init; } = 0.025;
    [Param(Description = "subsampling threshold of frequent words (0: off)", Min = 0, Max = 1)]
    public double Subsample { get; init; } = 1e-3;
    public long Seed { get; init; }
}

/// <summary>
/// Skip-gram word2vec with negative sampling (Mikolov et al. 2013), trained as word2vec.c does: for each centre word
/// and each context word in a random window, one positive and <c>Negatives</c> sampled negative logistic updates of
/// the input and output vectors, with the frequent-word subsampling and the linearly decaying rate. Single-threaded
/// and seeded, so the same corpus and seed give the same vectors. Ids 0-2 (padding, unknown, end of turn) are neither
/// centres nor contexts, and texts are separate windows (no context crosses a turn).
/// </summary>
public static class SkipGram
{
    const int SigmoidTable = 1000, MaxExponent = 6;

    /// <summary>Vectors (vocabulary size x dimensions), row-major; rows of tokens never seen stay at their random start.</summary>
    public static float[] Train(IReadOnlyList<long[]> texts, int vocabularySize, SkipGramOptions options, IProgressReporter? progress = null)
    {
        int d = options.Dimensions;
        var counts = new long[vocabularySize];
        foreach (var text in texts) foreach (var id in text) counts[id]++;
        for (int i = 0; i <= (int)Vocabulary.EndOfTurnId && i < vocabularySize; i++) counts[i] = 0;
        long total = counts.Sum();
        if (total == 0) throw new DeepscopeException("skip-gram: the corpus has no known tokens");
        var random = new Random(unchecked((int)options.Seed ^ (int)(options.Seed >> 32)));
        var input = new float[vocabularySize * d];
        for (int i = 0; i < input.Length; i++) input[i] = (float)((random.NextDouble() - 0.5) / d);
        var output = new float[vocabularySize * d];
        var negatives = NegativeTable(counts);
        var sigmoid = Enumerable.Range(0, SigmoidTable).Select(i => (float)(1 / (1 + Math.Exp(-((i / (double)SigmoidTable * 2 - 1) * MaxExponent))))).ToArray();
        var keep = counts.Select(c => c == 0 || options.Subsample == 0 ? 1.0
            : (Math.Sqrt(c / (options.Subsample * total)) + 1) * (options.Subsample * total) / c).ToArray();
        var hidden = new float[d];
        var sentence = new List<int>();
        long processed = 0, planned = total * options.Epochs;
        using var task = (progress ?? NoProgress.Instance).Start("skip-gram", planned, "tokens");
        for (int epoch = 0; epoch < options.Epochs; epoch++)
            foreach (var text in texts)
            {
                sentence.Clear();
                foreach (var id in text)
                {
                    if (counts[id] == 0) continue;
                    processed++;
                    if (keep[id] < random.NextDouble()) continue;
                    sentence.Add((int)id);
                }
                float rate = (float)(options.LearningRate * Math.Max(1e-4, 1 - processed / (double)(planned + 1)));
                for (int position = 0; position < sentence.Count; position++)
                {
                    int window = 1 + random.Next(options.Window);
                    for (int other = Math.Max(0, position - window); other <= Math.Min(sentence.Count - 1, position + window); other++)
                        if (other != position)
                            Update(input.AsSpan(sentence[other] * d, d), sentence[position], output, negatives, sigmoid, hidden, rate, options.Negatives, random);
                }
                task.Advance(text.Length);
            }
        return input;
    }

    /// <summary>One (context, centre) pair: the positive and the negative logistic steps, as word2vec.c's skip-gram.</summary>
    static void Update(Span<float> context, int centre, float[] output, int[] negatives, float[] sigmoid, float[] hidden, float rate, int negativeCount,
        Random random)
    {
        int d = context.Length;
        Array.Clear(hidden);
        for (int n = 0; n <= negativeCount; n++)
        {
            int target = n == 0 ? centre : negatives[random.Next(negatives.Length)];
            if (n > 0 && target == centre) continue;
            var o = output.AsSpan(target * d, d);
            float dot = 0;
            for (int j = 0; j < d; j++) dot += context[j] * o[j];
            float label = n == 0 ? 1 : 0;
            float gradient = dot > MaxExponent ? (label - 1) * rate : dot < -MaxExponent ? label * rate
                : (label - sigmoid[(int)((dot + MaxExponent) * (SigmoidTable / MaxExponent / 2))]) * rate;
            for (int j = 0; j < d; j++) hidden[j] += gradient * o[j];
            for (int j = 0; j < d; j++) o[j] += gradient * context[j];
        }
        for (int j = 0; j < d; j++) context[j] += hidden[j];
    }

    /// <summary>A table of ids drawn in proportion to count^0.75 (word2vec.c's unigram table, smaller).</summary>
    static int[] NegativeTable(long[] counts)
    {
        const int size = 1_000_000;
        double norm = counts.Sum(c => Math.Pow(c, 0.75));
        var table = new int[size];
        int word = 0;
        while (counts[word] == 0) word++;
        double cumulative = Math.Pow(counts[word], 0.75) / norm;
        for (int i = 0; i < size; i++)
        {
            table[i] = word;
            if (i / (double)size > cumulative && word < counts.Length - 1)
            {
                do word++; while (word < counts.Length - 1 && counts[word] == 0);
                cumulative += Math.Pow(counts[word], 0.75) / norm;
            }
        }
        return table;
    }
}
