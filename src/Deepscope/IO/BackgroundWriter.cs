namespace Deepscope.IO;

/// <summary>
/// Writes one batch at a time on a pool thread, so the caller computes the next batch meanwhile (a write is mostly a
/// copy into the page cache on one thread, which would otherwise leave the computing threads idle). Writes run in
/// the order posted; an error surfaces, as thrown, at the next <see cref="Post"/> or at <see cref="Drain"/>.
/// </summary>
public sealed class BackgroundWriter : IDisposable
{
    Task? _pending;

    /// <summary>Waits for the previous write, then starts <paramref name="write"/>.</summary>
    public void Post(Action write)
    {
        Drain();
        _pending = Task.Run(write);
    }

    /// <summary>Waits for the write in flight and rethrows its error.</summary>
    public void Drain()
    {
        var pending = _pending;
        _pending = null;
        pending?.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Lets a write in flight finish (on an error path, before the caller disposes what it writes to); its own error,
    /// if any, is secondary to the one being thrown, and is dropped. Call <see cref="Drain"/> on success.
    /// </summary>
    public void Dispose()
    {
        try { _pending?.Wait(); }
        catch (AggregateException) { }
        _pending = null;
    }
}
