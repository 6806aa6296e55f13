using System.Diagnostics.CodeAnalysis;
using System.Runtime;
using System.Runtime.CompilerServices;

namespace Deepscope.Runtime;

/// <summary>
/// Keeps the .NET garbage collector from running beside a thread that is inside libtorch. TorchSharp 0.107 passes a
/// temporary <c>Scalar</c> (the <c>1</c> of <c>a + b</c>, the <c>2.0</c> of <c>2.0 * a</c>, Adam's betas) to native
/// code by its handle alone, so a collection during the call may find the Scalar dead and its finalizer may free it
/// while libtorch still reads it (dotnet/TorchSharp PRs 1434 and 1496, open). A background (concurrent) collection does
/// exactly that to a single-threaded program: it suspends the threads whenever it gets there, not when the thread that
/// triggered it allocates. Blocking collections run only inside an allocation, when no native call is in flight on that
/// thread, so a program that calls libtorch from one .NET thread at a time and allocates on no other is safe.
/// Deepscope keeps to that: no progress-refresh thread, no writer or read-ahead threads beside libtorch work.
/// </summary>
public static class CollectorMode
{
    /// <summary>Whether collections in this process are blocking (non-concurrent), as a run record states it.</summary>
    public static string Description => GCSettings.LatencyMode switch
    {
        GCLatencyMode.Batch => "blocking",
        var mode => $"{mode} (concurrent: TorchSharp's temporary Scalars are at risk)",
    };

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "must hold before the first libtorch call, whoever makes it")]
    internal static void UseBlockingCollections()
    {
        if (GCSettings.LatencyMode is GCLatencyMode.Interactive or GCLatencyMode.SustainedLowLatency)
            GCSettings.LatencyMode = GCLatencyMode.Batch;
    }
}
