using Deepscope.Tests.Support;
using Deepscope.Text;

namespace Deepscope.Tests.Text;

public class VocabularyTests
{
    [Fact]
    public void KeepsTokensSeenMinCountTimesByDecreasingCountThenOrdinal()
    {
        var vocabulary = Vocabulary.Build([["b", "a", "c", "b"], ["a", "d", "b"], ["<eot>"]], minCount: 2);
        Assert.Equal(["<pad>", "<unk>", "<eot>", "b", "a"], vocabulary.Tokens);
        Assert.Equal([3L, 4L, Vocabulary.UnknownId, Vocabulary.UnknownId], vocabulary.Encode(["b", "a", "c", "never"]));
    }

    [Fact]
    public void SavesAndLoadsTheSameIds()
    {
        using var dir = new TempDir();
        var vocabulary = Vocabulary.Build([["😂", "x", "😂", ":)", "x", ":)"]], minCount: 1);
        vocabulary.Save(dir.File("v.txt"));
        var back = Vocabulary.Load(dir.File("v.txt"));
        Assert.Equal(vocabulary.Tokens, back.Tokens);
        Assert.Equal(vocabulary["😂"], back["😂"]);
    }

    [Fact]
    public void AFileWithoutTheSpecialTokensIsAnErrorNamingIt()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("v.txt"), "<pad>\nhello\n");
        var error = Assert.Throws<InvalidDataFileException>(() => Vocabulary.Load(dir.File("v.txt")));
        Assert.Equal(dir.File("v.txt"), error.FilePath);
        Assert.Contains("starts with <pad>, <unk>, <eot>", error.Message);
    }

    [Fact]
    public void RefusesAMinimumCountBelowOne() => Assert.Throws<DeepscopeException>(() => Vocabulary.Build([["a"]], minCount: 0));
}
