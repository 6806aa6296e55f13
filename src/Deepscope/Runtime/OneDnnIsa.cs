using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Deepscope.Runtime;

/// <summary>
/// libtorch 2.10's oneDNN computes some float32 convolutions wrongly with its AVX-512 kernels on AMD EPYC CPUs that have
/// AVX-512: on a Zen 4/5 machine a 1x1, stride-2 convolution of a channels-last 2x2 map (ResNet's layer4 downsample on
/// 32x32 images) came out with a relative error of 0.49, at every ISA cap from AVX512_CORE up; capped at AVX2 it is
/// right (tests/Deepscope.Tests/Runtime/OneDnnIsaTests). Before libtorch creates its first oneDNN primitive, this caps
/// oneDNN at AVX2 on such CPUs, unless the user has set <c>DNNL_MAX_CPU_ISA</c> (or <c>ONEDNN_MAX_CPU_ISA</c>).
/// </summary>
public static partial class OneDnnIsa
{
    public const string Variable = "DNNL_MAX_CPU_ISA";

    /// <summary>Whether this process capped oneDNN (for run records).</summary>
    public static bool Capped { get; private set; }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "must run before the first oneDNN primitive, whoever calls libtorch first")]
    internal static void CapOnAffectedCpus()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) is { Length: > 0 }
            || Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") is { Length: > 0 } || !IsAmdWithAvx512()) return;
        try
        {
            // The native environment, where oneDNN's getenv looks (Environment.SetEnvironmentVariable does not reach it).
            Capped = setenv(Variable, "AVX2", 0) == 0;
        }
        catch (EntryPointNotFoundException) { }
        catch (DllNotFoundException) { }
    }

    static bool IsAmdWithAvx512()
    {
        if (!File.Exists("/proc/cpuinfo")) return false;
        bool amd = false, avx512 = false;
        foreach (var line in File.ReadLines("/proc/cpuinfo"))
        {
            if (line.StartsWith("vendor_id", StringComparison.Ordinal)) amd = line.Contains("AuthenticAMD", StringComparison.Ordinal);
            else if (line.StartsWith("flags", StringComparison.Ordinal))
            {
                avx512 = line.Contains(" avx512f", StringComparison.Ordinal);
                break;
            }
        }
        return amd && avx512;
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
