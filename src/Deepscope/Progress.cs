namespace Deepscope;

/// <summary>Where long-running work reports progress; the CLI renders it as a bar (TTY) or as plain lines.</summary>
public interface IProgressReporter
{
    /// <summary>Starts a task of <paramref name="total"/> units (0 or less when unknown).</summary>
    IProgressTask Start(string description, double total, string unit = "items");
}

public interface IProgressTask : IDisposable
{
    void Advance(double amount);
    void Describe(string description);
}

/// <summary>Reports nothing: the default for library calls.</summary>
public sealed class NoProgress : IProgressReporter, IProgressTask
{
    public static readonly NoProgress Instance = new();
    public IProgressTask Start(string description, double total, string unit = "items") => this;
    public void Advance(double amount) { }
    public void Describe(string description) { }
    public void Dispose() { }
}
