using Deepscope.Tests.Support;
using Deepscope.Text;

namespace Deepscope.Tests.Text;

public class EmbeddingsTests
{
    static double Cosine(float[] v, int d, long a, long b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int j = 0; j < d; j++) (dot, na, nb) = (dot + v[a * d + j] * v[b * d + j], na + v[a * d + j] * v[a * d + j], nb + v[b * d + j] * v[b * d + j]);
        return dot / Math.Sqrt(na * nb);
    }

    /// <summary>Two topics whose words only ever co-occur within a topic: skip-gram puts each topic's words together.</summary>
    [Fact]
    public void SkipGramLearnsCoOccurrenceAndIsSeeded()
    {
        string[][] topics = [["cat", "dog", "pet", "fur", "paw"], ["car", "road", "tyre", "fuel", "lane"]];
        var random = new Random(3);
        var sentences = Enumerable.Range(0, 600).Select(i => topics[i % 2].OrderBy(_ => random.Next()).Take(4).ToList()).ToList();
        var vocabulary = Vocabulary.Build(sentences, minCount: 1);
        var texts = sentences.Select(s => vocabulary.Encode(s)).ToList();
        var options = new SkipGramOptions { Dimensions = 16, Window = 3, Epochs = 5, Subsample = 0, Seed = 7 };
        var vectors = SkipGram.Train(texts, vocabulary.Count, options);
        Assert.Equal(vectors, SkipGram.Train(texts, vocabulary.Count, options));
        double within = Cosine(vectors, 16, vocabulary["cat"], vocabulary["dog"]), across = Cosine(vectors, 16, vocabulary["cat"], vocabulary["car"]);
        Assert.True(within > 0.4 && across < within - 0.3, $"within {within:F3}, across {across:F3}");
    }

    [Theory]
    [InlineData("good 1 2 3\nBad -1.5 0 2e-1\nunseen 9 9 9\n")]
    [InlineData("3 3\ngood 1 2 3\nBad -1.5 0 2e-1\nunseen 9 9 9\n")]
    public void LoadsGloveAndWord2VecTextFormats(string text)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("v.txt"), text);
        var vocabulary = new Vocabulary(["<pad>", "<unk>", "<eot>", "good", "bad", "rare"]);
        var (vectors, d, found) = WordVectors.Load(dir.File("v.txt"), vocabulary, n => Enumerable.Repeat(7f, vocabulary.Count * n).ToArray());
        Assert.Equal((3, 2), (d, found));
        Assert.Equal([1f, 2, 3], vectors[9..12]);
        Assert.Equal([-1.5f, 0, 0.2f], vectors[12..15]);
        Assert.Equal([7f, 7, 7], vectors[15..18]);
    }

    [Fact]
    public void ARaggedVectorFileNamesTheLine()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("v.txt"), "a 1 2\nb 1\n");
        var error = Assert.Throws<InvalidDataFileException>(() => WordVectors.Load(dir.File("v.txt"), new Vocabulary(["<pad>", "<unk>", "<eot>", "a"]), n => new float[4 * n]));
        Assert.Contains("line 2 has 1 values", error.Message);
    }

    [Fact]
    public void TfIdfMatchesScikitLearnsSublinearFormula()
    {
        IReadOnlyList<string>[] documents = [["a", "b", "a"], ["a", "c"], ["b", "b"]];
        var tfIdf = TfIdf.Fit(documents, new TfIdfOptions { MaxNgram = 1, MinDocuments = 1 });
        Assert.Equal(["a", "b", "c"], tfIdf.Terms);
        // idf = ln((1 + 3) / (1 + df)) + 1; row 0: a tf 2 -> 1 + ln 2, b tf 1; then L2-normalised.
        double idfA = Math.Log(4.0 / 3) + 1, idfB = idfA, a = (1 + Math.Log(2)) * idfA, b = idfB, norm = Math.Sqrt(a * a + b * b);
        using var x = tfIdf.Transform(documents);
        var row = x[0].data<float>().ToArray();
        Assert.Equal(a / norm, row[0], 5);
        Assert.Equal(b / norm, row[1], 5);
        Assert.Equal(0, row[2]);
    }
}
