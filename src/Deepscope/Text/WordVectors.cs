using System.Globalization;

namespace Deepscope.Text;

/// <summary>
/// Pretrained word vectors from a text file: GloVe's (<c>word v1 v2 ...</c> per line) or word2vec's text format (the
/// same after a <c>count dimensions</c> first line). Only the vocabulary's tokens are kept, so a 5 GB file streams in
/// constant memory beyond them.
/// </summary>
public static class WordVectors
{
    /// <summary>
    /// The rows (vocabulary size x dimensions) of the tokens found in the file (the first spelling that matches; a
    /// token missing as written is looked up lower-cased), the others left as <paramref name="fallback"/> has them;
    /// returns the matrix and the number of tokens found.
    /// </summary>
    public static (float[] Vectors, int Dimensions, int Found) Load(string path, Vocabulary vocabulary, Func<int, float[]> fallback)
    {
        if (!File.Exists(path)) throw new InvalidDataFileException(path, "word-vector file not found");
        float[]? vectors = null;
        var found = new bool[vocabulary.Count];
        int dimensions = 0, lineNumber = 0, hits = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var parts = line.TrimEnd().Split(' ');
            if (lineNumber == 1 && parts.Length == 2 && parts.All(p => long.TryParse(p, out _))) continue;  // word2vec's header
            if (parts.Length < 2) throw new InvalidDataFileException(path, $"line {lineNumber} is not 'word v1 v2 ...'");
            if (vectors is null)
            {
                dimensions = parts.Length - 1;
                vectors = fallback(dimensions);
                if (vectors.Length != vocabulary.Count * dimensions) throw new ArgumentException("the fallback matrix has the wrong size");
            }
            if (parts.Length - 1 != dimensions)
                throw new InvalidDataFileException(path, $"line {lineNumber} has {parts.Length - 1} values, the first had {dimensions}");
            long id = vocabulary[parts[0]];
            if (id == Vocabulary.UnknownId) id = vocabulary[parts[0].ToLowerInvariant()];
            if (id <= Vocabulary.EndOfTurnId || found[id]) continue;
            for (int j = 0; j < dimensions; j++)
                if (!float.TryParse(parts[j + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out vectors[id * dimensions + j]))
                    throw new InvalidDataFileException(path, $"line {lineNumber} value {j + 1} '{parts[j + 1]}' is not a number");
            found[id] = true;
            hits++;
        }
        if (vectors is null) throw new InvalidDataFileException(path, "holds no vectors");
        return (vectors, dimensions, hits);
    }
}
