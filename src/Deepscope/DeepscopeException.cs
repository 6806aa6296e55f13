namespace Deepscope;

/// <summary>An error caused by the user's input or environment; its message is one line meant for the user.</summary>
public class DeepscopeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A file that cannot be used as it is: the message names the file and the problem.</summary>
public sealed class InvalidDataFileException(string path, string problem, Exception? inner = null)
    : DeepscopeException($"{path}: {problem}", inner)
{
    public string FilePath { get; } = path;
    public string Problem { get; } = problem;
}
