using System.Reflection;
using static TorchSharp.torch;

namespace Deepscope.Runtime;

/// <summary>
/// One place that sets libtorch's threads and describes the runtime for run records. libtorch's OpenMP pool and
/// .NET's thread pool share the cores: work that is already parallel in libtorch must not also fan out in .NET.
/// </summary>
public static class TorchRuntime
{
    /// <summary>Sets libtorch's intra-op threads (default: all cores) and switches NNPACK off (<see cref="Nnpack"/>).</summary>
    public static void Configure(int? threads = null)
    {
        int n = threads ?? Environment.ProcessorCount;
        if (n < 1) throw new DeepscopeException($"threads must be at least 1, got {n}");
        Nnpack.Disable();
        if (get_num_threads() != n) set_num_threads(n);
    }

    /// <summary>The versions a run record should name.</summary>
    public static IReadOnlyDictionary<string, string> Versions() => new Dictionary<string, string>
    {
        ["deepscope"] = typeof(TorchRuntime).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        ["libtorch"] = __version__,
        ["dotnet"] = Environment.Version.ToString(),
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["cpu_threads"] = get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["onednn_isa"] = OneDnnIsa.Description,
        ["gc"] = CollectorMode.Description,
    };
}
