namespace Deepscope.IO;

/// <summary>Writes a file through a temporary sibling and a rename, so a crash never leaves a half-written output.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = TempPathFor(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                write(stream);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e.Message.Contains(temp, StringComparison.Ordinal))
        {
            File.Delete(temp);
            // The user named the output, not its temporary sibling.
            throw new DeepscopeException(e.Message.Replace(temp, full, StringComparison.Ordinal), e);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s); w.Write(text); });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>
    /// A unique temporary path in the same directory (so the final rename stays on one file system). The output's name
    /// is cut to its first <see cref="NamePrefixLength"/> characters there, so any name the file system accepts for the
    /// output also fits the temporary one (255 bytes on Linux, with up to 4 bytes per character).
    /// </summary>
    public static string TempPathFor(string path)
    {
        var name = Path.GetFileName(path);
        int keep = Math.Min(name.Length, NamePrefixLength);
        if (keep > 0 && keep < name.Length && char.IsHighSurrogate(name[keep - 1])) keep--;
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{name[..keep]}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
    }

    const int NamePrefixLength = 40;
}
