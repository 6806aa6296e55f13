using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Deepscope.Runtime;

/// <summary>
/// libtorch's automatic mixed precision (PyTorch's <c>torch.autocast</c>), which TorchSharp 0.107 does not expose: while
/// a region is open, eligible ops on the calling thread (convolutions, linear layers, matrix products) run in the given
/// lower precision and the rest in float32; parameters and their gradients stay float32. Reached through libtorch's
/// exported C++ entry points (<c>at::autocast::set_autocast_enabled</c> and friends), whose arguments are one-byte enums.
/// </summary>
public static partial class Autocast
{
    /// <summary>Opens an autocast region on this thread for the CPU; dispose to close it (and drop the cast-weight cache).</summary>
    public static IDisposable Cpu(ScalarType dtype = ScalarType.BFloat16)
    {
        if (dtype is not (ScalarType.BFloat16 or ScalarType.Float16))
            throw new DeepscopeException($"autocast: the lower precision must be bfloat16 or float16, got {dtype}");
        bool wasEnabled = IsEnabled(CpuDevice);
        SetDtype(CpuDevice, (sbyte)dtype);
        SetEnabled(CpuDevice, true);
        return new Region(wasEnabled);
    }

    /// <summary>Whether an autocast region is open on this thread for the CPU.</summary>
    public static bool IsCpuEnabled => IsEnabled(CpuDevice);

    const sbyte CpuDevice = 0;  // c10::DeviceType::CPU

    sealed class Region(bool wasEnabled) : IDisposable
    {
        bool _closed;

        public void Dispose()
        {
            if (_closed) return;
            _closed = true;
            SetEnabled(CpuDevice, wasEnabled);
            if (!wasEnabled) ClearCache();
        }
    }

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb")]
    private static partial void SetEnabled(sbyte device, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool IsEnabled(sbyte device);

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE")]
    private static partial void SetDtype(sbyte device, sbyte dtype);

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at8autocast11clear_cacheEv")]
    private static partial void ClearCache();
}
