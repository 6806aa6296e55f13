using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Deepscope.Runtime;

/// <summary>
/// The instruction set libtorch 2.10's oneDNN may use, fixed for the process before libtorch creates its first oneDNN
/// primitive. oneDNN computes some float32 convolutions wrongly on AMD EPYC CPUs (Zen 4/5) at every ISA, and far more at
/// AVX-512: strided 1x1 kernels (out-of-bounds writes), every 1x1 forward on two threads, NCHW forwards and gradients
/// for many channel counts (docs/benchmarks.md, "Session 8"). <see cref="Models.ConvolutionDispatch"/> routes every
/// convolution Deepscope's trainer and inference preparation run around them, and
/// <see cref="Models.ConvolutionDispatchSweep"/> finds none left at AVX2 or AVX512_CORE, on one thread or two. But a
/// convolution outside the dispatch (a model's plain forward, as <c>evaluate</c> and a user's own code run it) is wrong
/// at AVX-512, so on such CPUs the library caps oneDNN at <see cref="Ceiling"/>, AVX2, unless the user has set
/// <c>DNNL_MAX_CPU_ISA</c> (or <c>ONEDNN_MAX_CPU_ISA</c>). The <c>deepscope</c> CLI and the benchmarks, whose every
/// model is routed (the trainer, <c>InferencePreparation</c>, the run loaders), lift it to <see cref="RoutedCeiling"/>
/// at start (<see cref="LiftForRoutedProcess"/>): ResNet-18 trains about 1.5x faster there. Other CPUs keep oneDNN's
/// own choice.
/// </summary>
public static partial class OneDnnIsa
{
    public const string Variable = "DNNL_MAX_CPU_ISA";

    /// <summary>The ISA Deepscope caps oneDNN at on AMD CPUs with AVX-512.</summary>
    public const string Ceiling = "AVX2";

    /// <summary>The ISA a process whose every convolution goes through the dispatch runs at on such CPUs (swept clean).</summary>
    public const string RoutedCeiling = "AVX512_CORE";

    /// <summary>Whether this process capped oneDNN at <see cref="Ceiling"/>.</summary>
    public static bool Capped { get; private set; }

    /// <summary>Whether <see cref="LiftForRoutedProcess"/> raised the cap to <see cref="RoutedCeiling"/>.</summary>
    public static bool Lifted { get; private set; }

    /// <summary>The ISA limit in effect, as a run record states it: Deepscope's, the user's, or oneDNN's own choice.</summary>
    public static string Description =>
        Capped ? $"{Ceiling} (capped by Deepscope: oneDNN's AVX-512 convolutions are wrong on AMD outside its dispatch)"
        : Lifted ? $"{RoutedCeiling} (set by Deepscope's CLI: every convolution goes through its dispatch)"
        : UserSetting() is { } user ? $"{user} (set by the user)"
        : "default (oneDNN's choice)";

    /// <summary>
    /// Raises Deepscope's cap to <see cref="RoutedCeiling"/>, for an entry point whose every convolution goes through
    /// <see cref="Models.ConvolutionDispatch"/>; must run before libtorch's first oneDNN primitive (first thing in Main).
    /// Does nothing where Deepscope set no cap (another CPU, or the user's own setting).
    /// </summary>
    public static void LiftForRoutedProcess()
    {
        if (!Capped) return;
        if (setenv(Variable, RoutedCeiling, 1) == 0) (Capped, Lifted) = (false, true);
    }

    /// <summary>Whether oneDNN may use 16-lane (AVX-512) float32 kernels in this process on this CPU.</summary>
    public static bool WideVectors => HasAvx512() && !Capped && (UserSetting() is not { } user || user.StartsWith("AVX512", StringComparison.OrdinalIgnoreCase)
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
            // The native environment, where oneDNN's getenv looks (Environment.SetEnvironmentVariable does not reach it);
            // overwriting, since an empty variable (no user setting) would otherwise stay and mean oneDNN's own choice.
            Capped = setenv(Variable, Ceiling, 1) == 0;
        }
        catch (EntryPointNotFoundException) { }
        catch (DllNotFoundException) { }
    }

    static bool IsAmd() => CpuInfo.Field("vendor_id") == "AuthenticAMD";

    static bool HasAvx512() => CpuInfo.Field("flags")?.Split(' ').Contains("avx512f") == true;

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
