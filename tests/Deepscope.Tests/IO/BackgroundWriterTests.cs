using Deepscope.IO;

namespace Deepscope.Tests.IO;

public class BackgroundWriterTests
{
    [Fact]
    public void WritesRunOneAtATimeInTheOrderPosted()
    {
        var written = new List<int>();
        int running = 0, overlapped = 0;
        using (var writes = new BackgroundWriter())
        {
            for (int i = 0; i < 20; i++)
            {
                int item = i;
                writes.Post(() =>
                {
                    if (Interlocked.Increment(ref running) > 1) Interlocked.Increment(ref overlapped);
                    Thread.Sleep(1);
                    written.Add(item);
                    Interlocked.Decrement(ref running);
                });
            }
            writes.Drain();
        }
        Assert.Equal(Enumerable.Range(0, 20), written);
        Assert.Equal(0, overlapped);
    }

    /// <summary>A failed write surfaces as itself (not wrapped) at the next post, so the CLI prints its one-line message.</summary>
    [Fact]
    public void AFailedWriteSurfacesAtTheNextPostOrDrain()
    {
        using var writes = new BackgroundWriter();
        writes.Post(() => throw new DeepscopeException("disk full"));
        var error = Assert.Throws<DeepscopeException>(() => writes.Post(() => { }));
        Assert.Equal("disk full", error.Message);
        writes.Post(() => throw new InvalidDataException("bad"));
        Assert.Throws<InvalidDataException>(writes.Drain);
        writes.Drain(); // nothing left in flight
    }

    [Fact]
    public void DisposeWaitsForTheWriteInFlightAndDropsItsError()
    {
        bool finished = false;
        var writes = new BackgroundWriter();
        writes.Post(() => { Thread.Sleep(50); finished = true; throw new IOException("secondary"); });
        writes.Dispose();
        Assert.True(finished);
    }
}
