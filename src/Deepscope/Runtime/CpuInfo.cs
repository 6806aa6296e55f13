namespace Deepscope.Runtime;

/// <summary>Fields of the first processor in /proc/cpuinfo (null where the file or the field is missing).</summary>
public static class CpuInfo
{
    /// <summary>The trimmed value of <paramref name="name"/> ("model name", "vendor_id", "cpu family", "cpu MHz", "flags").</summary>
    public static string? Field(string name)
    {
        if (!File.Exists("/proc/cpuinfo")) return null;
        foreach (var line in File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0))
        {
            int colon = line.IndexOf(':');
            if (colon >= 0 && line[..colon].Trim() == name) return line[(colon + 1)..].Trim();
        }
        return null;
    }
}
