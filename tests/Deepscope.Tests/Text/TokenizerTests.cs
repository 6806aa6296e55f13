using Deepscope.Text;

namespace Deepscope.Tests.Text;

public class TokenizerTests
{
    [Theory]
    [InlineData("Whaaaat why", new[] { "whaat", "why" })]
    [InlineData("Sooo HAPPY!!!", new[] { "soo", "happy", "!" })]
    [InlineData("really??!?", new[] { "really", "?!" })]
    [InlineData("I'm fine... ok", new[] { "i'm", "fine", "...", "ok" })]
    [InlineData("don’t", new[] { "don't" })]
    [InlineData("hi :) :-( :'( :D :d xD <3 -_- ^_^", new[] { "hi", ":)", ":-(", ":'(", ":D", ":D", "XD", "<3", "-_-", "^_^" })]
    [InlineData("meet at 10:30, ok?", new[] { "meet", "at", "10", ":", "30", ",", "ok", "?" })]
    [InlineData("lol😂😂 ok", new[] { "lol", "😂", "😂", "ok" })]
    [InlineData("👍🏽 ❤️ ☺", new[] { "👍", "❤", "☺" })]
    [InlineData("Ça va, señor?", new[] { "ça", "va", ",", "señor", "?" })]
    [InlineData("  \t ", new string[0])]
    public void Tokenizes(string text, string[] expected) => Assert.Equal(expected, Tokenizer.Tokenize(text));

    [Fact]
    public void ElongatedFormsShareATokenButDoubleLettersStay()
    {
        Assert.Equal(Tokenizer.Tokenize("soooo good"), Tokenizer.Tokenize("sooooooo good"));
        Assert.Equal(["good", "book"], Tokenizer.Tokenize("good book"));
    }
}
