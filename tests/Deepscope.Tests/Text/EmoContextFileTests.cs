using Deepscope.Tests.Support;
using Deepscope.Text;

namespace Deepscope.Tests.Text;

public class EmoContextFileTests
{
    const string Header = "id\tturn1\tturn2\tturn3\tlabel";

    static string Write(TempDir dir, string name, string text)
    {
        var path = dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ReadsCrlfLfAndALastLineWithoutNewlineAlike()
    {
        using var dir = new TempDir();
        string[] rows = ["0\tHi  there\tyo 😂😂\tWhaaaat?!\thappy", "1\tI hate  you\t ok \tgo away 😡\tangry"];
        var crlf = EmoContextFile.Read(Write(dir, "crlf.txt", Header + "\r\n" + string.Join("\r\n", rows) + "\r\n"));
        var lf = EmoContextFile.Read(Write(dir, "lf.txt", Header + "\n" + string.Join("\n", rows)));
        foreach (var file in new[] { crlf, lf })
        {
            Assert.True(file.HasLabels);
            Assert.Equal(2, file.Dialogues.Count);
            Assert.Equal(["Hi  there", "yo 😂😂", "Whaaaat?!"], file.Dialogues[0].Turns);
            Assert.Equal(["I hate  you", " ok ", "go away 😡"], file.Dialogues[1].Turns);
            Assert.Equal([1L, 3L], file.LabelIndices());
        }
    }

    [Fact]
    public void UnlabelledFilesHaveFourColumnsAndNoLabels()
    {
        using var dir = new TempDir();
        var file = EmoContextFile.Read(Write(dir, "test.txt", "id\tturn1\tturn2\tturn3\n7\ta\tb\tc\n"));
        Assert.False(file.HasLabels);
        Assert.Null(file.Dialogues[0].Label);
        Assert.Throws<InvalidDataFileException>(() => file.LabelIndices());
    }

    [Fact]
    public void AnExtraTabInTheFirstTurnIsJoined()
    {
        using var dir = new TempDir();
        var file = EmoContextFile.Read(Write(dir, "quirk.txt", Header + "\n0\tDon't worry\tI'm girl\thmm\tWhat's ur name?\tothers\n"));
        Assert.Equal(["Don't worry I'm girl", "hmm", "What's ur name?"], file.Dialogues[0].Turns);
    }

    [Theory]
    [InlineData("0\ta\tb\tc\thappy\n1\ta\tb\tsad\n", "line 3 has 4 tab-separated columns, expected 5")]
    [InlineData("0\ta\tb\tc\tjoyful\n", "line 2 has label 'joyful'")]
    [InlineData("\ta\tb\tc\thappy\n", "line 2 has an empty id")]
    public void MalformedRowsNameTheFileAndLine(string rows, string problem)
    {
        using var dir = new TempDir();
        var path = Write(dir, "bad.txt", Header + "\n" + rows);
        var error = Assert.Throws<InvalidDataFileException>(() => EmoContextFile.Read(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void ABadHeaderOrNoRowsIsAnError()
    {
        using var dir = new TempDir();
        Assert.Contains("header", Assert.Throws<InvalidDataFileException>(() => EmoContextFile.Read(Write(dir, "a.txt", "0\ta\tb\n"))).Message);
        Assert.Contains("no dialogues", Assert.Throws<InvalidDataFileException>(() => EmoContextFile.Read(Write(dir, "b.txt", Header + "\r\n"))).Message);
        Assert.Contains("not found", Assert.Throws<InvalidDataFileException>(() => EmoContextFile.Read(dir.File("none.txt"))).Message);
    }

    [Fact]
    public void SubmissionKeepsTheColumnsAndHeaderAndAppendsTheLabel()
    {
        using var dir = new TempDir();
        var file = EmoContextFile.Read(Write(dir, "in.txt", "id\tturn1\tturn2\tturn3\r\n5\tx y\t:)\tñé 👍🏽\r\n6\ta\tb\tc"));
        var output = dir.File("out.txt");
        file.WriteWithLabels(output, ["happy", "others"]);
        Assert.Equal("id\tturn1\tturn2\tturn3\tlabel\n5\tx y\t:)\tñé 👍🏽\thappy\n6\ta\tb\tc\tothers\n", File.ReadAllText(output));
        var back = EmoContextFile.Read(output);
        Assert.Equal([1L, 0L], back.LabelIndices());
    }
}
