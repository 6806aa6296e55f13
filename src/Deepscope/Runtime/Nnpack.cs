using System.Runtime.InteropServices;

namespace Deepscope.Runtime;

/// <summary>
/// libtorch 2.10 asks NNPACK whether it is available before every batched no-grad convolution, and where NNPACK does
/// not initialise (this AMD EPYC) it logs "Could not initialize NNPACK! Reason: Unsupported hardware." each time:
/// dozens of lines on stderr per command. oneDNN serves those convolutions either way, so NNPACK is switched off in
/// libtorch's global context, which skips the question. TorchSharp has no binding for the switch; these are
/// libtorch's exported C++ functions (Itanium mangling, Linux only).
/// </summary>
public static partial class Nnpack
{
    static int _disabled;

    /// <summary>Switches NNPACK off once per process; loads libtorch if it is not loaded yet.</summary>
    public static void Disable()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _disabled, 1) == 1) return;
        _ = TorchSharp.torch.get_num_threads();  // loads libtorch through TorchSharp first, so both see one library
        try
        {
            SetUserEnabledNnpack(GlobalContext(), false);
        }
        catch (EntryPointNotFoundException) { }
        catch (DllNotFoundException) { }
    }

    /// <summary>Whether libtorch will consider NNPACK (for tests).</summary>
    public static bool Enabled => UserEnabledNnpack(GlobalContext());

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static partial nint GlobalContext();

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetUserEnabledNnpack(nint context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledNnpack(nint context);
}
