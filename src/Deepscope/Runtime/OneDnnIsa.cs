using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Deepscope.Runtime;

/// <summary>
/// The instruction set libtorch 2.10's oneDNN may use, fixed for the process before libtorch creates its first oneDNN
/// primitive. oneDNN computes some float32 convolutions wrongly on AMD EPYC CPUs (Zen 4/5) at every ISA, AVX2 included:
/// channels-last forwards with some output-channel counts, strided 1x1 kernels (which also write out of bounds), some
/// NCHW input gradients. <see cref="Models.ConvolutionDispatch"/> routes every convolution Deepscope runs around them,
/// and <see cref="Models.ConvolutionDispatchSweep"/> checks every convolution of the zoo's and the studies' networks
/// against float64 at the ISA of the test process. On such CPUs this pins oneDNN to <see cref="Ceiling"/>, the ISA that
/// sweep covers (AVX-512 kernels: up to twice AVX2's speed), unless the user has set <c>DNNL_MAX_CPU_ISA</c> (or
/// <c>ONEDNN_MAX_CPU_ISA</c>), which is then left as it is. Other CPUs keep oneDNN's own choice.
/// </summary>
public static partial class OneDnnIsa
{
    public const string Variable = "DNNL_MAX_CPU_ISA";

    /// <summary>The ISA Deepscope pins oneDNN to on AMD CPUs with AVX-512.</summary>
    public const string Ceiling = "AVX512_CORE";

    /// <summary>Whether this process pinned oneDNN to <see cref="Ceiling"/>.</summary>
    public static bool Capped { get; private set; }

    /// <summary>The ISA limit in effect, as a run record states it: Deepscope's, the user's, or oneDNN's own choice.</summary>
    public static string Description =>
        Capped ? $"{Ceiling} (set by Deepscope on an AMD CPU with AVX-512: the ISA its convolution sweep checks)"
        : UserSetting() is { } user ? $"{user} (set by the user)"
        : "default (oneDNN's choice)";

    /// <summary>Whether oneDNN may use 16-lane (AVX-512) float32 kernels in this process on this CPU.</summary>
    public static bool WideVectors => HasAvx512() && (Capped || UserSetting() is not { } user || user.StartsWith("AVX512", StringComparison.OrdinalIgnoreCase)
        || user.StartsWith("AVX10", StringComparison.OrdinalIgnoreCase));

    static string? UserSetting() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } dnnl ? dnnl
        : Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") is { Length: > 0 } onednn ? onednn : null;

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "must run before the first oneDNN primitive, whoever calls libtorch first")]
    internal static void CapOnAffectedCpus()
    {
        if (!OperatingSystem.IsLinux() || UserSetting() is not null || !IsAmd() || !HasAvx512()) return;
        try
        {
            // The native environment, where oneDNN's getenv looks (Environment.SetEnvironmentVariable does not reach it).
            Capped = setenv(Variable, Ceiling, 0) == 0;
        }
        catch (EntryPointNotFoundException) { }
        catch (DllNotFoundException) { }
    }

    static bool IsAmd() => CpuInfo("vendor_id")?.Contains("AuthenticAMD", StringComparison.Ordinal) == true;

    static bool HasAvx512() => CpuInfo("flags")?.Contains(" avx512f", StringComparison.Ordinal) == true;

    static string? CpuInfo(string field) =>
        File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal)) : null;

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
