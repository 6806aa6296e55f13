using System.Globalization;
using System.Text;
using Deepscope.Tests.Support;
using Deepscope.Tests.Training;
using Deepscope.Text;

namespace Deepscope.Tests.Text;

/// <summary>
/// End to end on made-up dialogues whose last turn carries the emotion (mostly 'others' in dev, as in EmoContext). Alone
/// in its collection: the same-seed check compares two trainings' predictions exactly.
/// </summary>
[Collection(TorchGlobalStateCollection.Name)]
public class TextCliTests : IClassFixture<SingleThreaded>
{
    static readonly string[][] Cues = [["ok", "sure", "fine", "what", "time"], ["yay", "love", "😂", "great"], ["cry", "miss", "😢", "alone"], ["hate", "stupid", "😡", "idiot"]];
    static readonly string[] Filler = ["i", "you", "the", "is", "so", "it", "was", "today", "that"];

    internal static void WriteDialogues(string path, int count, double othersShare, int seed, bool crlf)
    {
        var random = new Random(seed);
        var text = new StringBuilder("id\tturn1\tturn2\tturn3\tlabel");
        for (int i = 0; i < count; i++)
        {
            int label = random.NextDouble() < othersShare ? 0 : 1 + random.Next(3);
            string Turn(int cue) => string.Join(' ', Enumerable.Range(0, 2 + random.Next(4)).Select(_ => Filler[random.Next(Filler.Length)])
                .Append(Cues[cue][random.Next(Cues[cue].Length)]).OrderBy(_ => random.Next()));
            text.Append(crlf ? "\r\n" : "\n").Append(CultureInfo.InvariantCulture, $"{i}\t{Turn(random.Next(4))}\t{Turn(0)}\t{Turn(label)}\t{EmoContextFile.Classes[label]}");
        }
        File.WriteAllText(path, text.ToString());
    }

    static string[] TrainArgs(string data, string run, string model) =>
    [
        "text", "train", "--data", data, "--model", model, "--output", run, "--epochs", "8", "--threads", "1", "--seed", "5",
        "--param", "embedding_size=16", "--param", "hidden=16", "--param", "context_hidden=16", "--param", "batch_size=16", "--param", "learning_rate=0.02",
        "--param", "min_count=1", "--param", "turn_tokens=8",
    ];

    [Theory]
    [InlineData("bc-lstm")]
    [InlineData("lstm-baseline")]
    [InlineData("tfidf-logreg")]
    public void TrainPredictEvaluateAndTheSameSeedGivesTheSamePredictions(string model)
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("data"));
        WriteDialogues(dir.File("data/train.txt"), 320, 0.5, seed: 1, crlf: true);
        WriteDialogues(dir.File("data/dev.txt"), 120, 0.8, seed: 2, crlf: false);
        var (exit, stdout, stderr) = CliRunner.Run(TrainArgs(dir.File("data"), dir.File("run"), model));
        Assert.True(exit == 0, stderr + stdout);
        var record = TextRun.Load(dir.File("run")).Record;
        Assert.True(record.Summary.DevCalibrated.MicroF1 > 0.8, $"dev micro-F1 {record.Summary.DevCalibrated.MicroF1}");
        Assert.True(record.Summary.DevCalibrated.MicroF1 >= record.Summary.DevRaw.MicroF1);

        (exit, _, stderr) = CliRunner.Run(TrainArgs(dir.File("data"), dir.File("again"), model));
        Assert.True(exit == 0, stderr);
        Assert.Equal(File.ReadAllText(dir.File($"run/{TextRun.DevPredictionsFile}")), File.ReadAllText(dir.File($"again/{TextRun.DevPredictionsFile}")));

        (exit, stdout, stderr) = CliRunner.Run("text", "predict", "--run", dir.File("run"), "--input", dir.File("data/dev.txt"), "--output", dir.File("pred.txt"), "--threads", "1");
        Assert.True(exit == 0, stderr);
        Assert.Equal(File.ReadAllText(dir.File($"run/{TextRun.DevPredictionsFile}")), File.ReadAllText(dir.File("pred.txt")));
        var input = File.ReadAllLines(dir.File("data/dev.txt"));
        var written = File.ReadAllLines(dir.File("pred.txt"));
        Assert.Equal(input.Length, written.Length);
        Assert.Equal(input[5].Split('\t')[..4], written[5].Split('\t')[..4]);

        (exit, stdout, stderr) = CliRunner.Run("text", "evaluate", "--run", dir.File("run"), "--input", dir.File("data/dev.txt"), "--threads", "1");
        Assert.True(exit == 0, stderr);
        Assert.Contains($"F1 {record.Summary.DevCalibrated.MicroF1.ToString("F4", CultureInfo.InvariantCulture)};", stdout);
    }

    [Fact]
    public void TrainsFromAGloveFileTakingItsDimensionsAndNamesAMissingOne()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("data"));
        WriteDialogues(dir.File("data/train.txt"), 320, 0.5, seed: 3, crlf: true);
        WriteDialogues(dir.File("data/dev.txt"), 120, 0.8, seed: 4, crlf: false);
        // Six dimensions (not the arguments' 16); each class's cue words near their class's axis; a word not in the data.
        var glove = Cues.SelectMany((words, c) => words.Select((w, i) =>
            w + " " + string.Join(' ', Enumerable.Range(0, 6).Select(j => (j == c ? 1.0 : 0.1 * i).ToString(CultureInfo.InvariantCulture)))));
        File.WriteAllLines(dir.File("glove.txt"), [.. glove, "absent 0 0 0 0 0 1"]);
        var (exit, stdout, stderr) = CliRunner.Run([.. TrainArgs(dir.File("data"), dir.File("run"), "bc-lstm"), "--embeddings", dir.File("glove.txt")]);
        Assert.True(exit == 0, stderr + stdout);
        using var run = TextRun.Load(dir.File("run"));
        var record = run.Record;
        Assert.Equal(6, record.Options.EmbeddingSize);
        Assert.True(record.Summary.DevCalibrated.MicroF1 > 0.8, $"dev micro-F1 {record.Summary.DevCalibrated.MicroF1}");

        (exit, _, stderr) = CliRunner.Run([.. TrainArgs(dir.File("data"), dir.File("again"), "bc-lstm"), "--embeddings", dir.File("nope.txt")]);
        Assert.Equal(1, exit);
        Assert.Contains("nope.txt: word-vector file not found", stderr);
    }

    [Fact]
    public void AMalformedFileIsOneLineNamingIt()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("data"));
        File.WriteAllText(dir.File("data/train.txt"), "id\tturn1\tturn2\tturn3\tlabel\n0\ta\tb\n");
        File.WriteAllText(dir.File("data/dev.txt"), "id\tturn1\tturn2\tturn3\tlabel\n0\ta\tb\tc\tothers\n");
        var (exit, _, stderr) = CliRunner.Run("text", "train", "--data", dir.File("data"), "--output", dir.File("run"), "--threads", "1");
        Assert.Equal(1, exit);
        Assert.Contains("train.txt: line 2 has 3 tab-separated columns", stderr);
    }

    [Fact]
    public void ATruncatedRunRecordIsOneLineNamingIt()
    {
        using var dir = new TempDir();
        WriteDialogues(dir.File("test.txt"), 4, othersShare: 0.5, seed: 3, crlf: false);
        Directory.CreateDirectory(dir.File("run"));
        File.WriteAllText(dir.File($"run/{TextRun.RecordFile}"), "{\"options\": {\"model\": \"bc-l");
        var (exit, _, stderr) = CliRunner.Run("text", "predict", "--run", dir.File("run"), "--input", dir.File("test.txt"), "--output", dir.File("out.txt"));
        Assert.Equal(1, exit);
        Assert.Contains($"{dir.File($"run/{TextRun.RecordFile}")}: unreadable", stderr);
        Assert.False(File.Exists(dir.File("out.txt")));
    }
}
