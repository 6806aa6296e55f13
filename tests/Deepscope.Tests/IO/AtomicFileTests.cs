using Deepscope.IO;

namespace Deepscope.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("deepscope-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void An_output_name_of_250_characters_is_written_and_no_temporary_file_is_left()
    {
        var path = Path.Combine(_dir, new string('a', 246) + ".txt");
        AtomicFile.WriteAllText(path, "x");
        Assert.Equal("x", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void An_output_over_a_directory_fails_naming_the_output_and_leaves_nothing()
    {
        var path = Path.Combine(_dir, "taken");
        Directory.CreateDirectory(path);
        var error = Assert.ThrowsAny<Exception>(() => AtomicFile.WriteAllText(path, "x"));
        Assert.Contains(path, error.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_temporary_file_that_cannot_be_created_is_reported_under_the_output_name()
    {
        // Nobody, not even root, creates files in /proc/self: the temporary file fails first.
        const string path = "/proc/self/deepscope-output.txt";
        if (!Directory.Exists("/proc/self")) Assert.Skip("needs Linux's /proc");
        var error = Assert.Throws<DeepscopeException>(() => AtomicFile.WriteAllText(path, "x"));
        Assert.Contains(path, error.Message);
        Assert.DoesNotContain(".tmp", error.Message);
    }
}
