using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Deepscope.Data;

/// <summary>
/// Downloads dataset files: into <c>name.part</c> (resumed with an HTTP range request after an interruption),
/// checked against the checksum, then renamed into place; archives are unpacked. Tries each URL in turn.
/// </summary>
public sealed class Downloader(HttpClient http, IProgressReporter? progress = null)
{
    readonly IProgressReporter _progress = progress ?? NoProgress.Instance;

    /// <summary>Fetches <paramref name="file"/> into <paramref name="directory"/> (extra mirrors first) and returns its path.</summary>
    public async Task<string> FetchAsync(RemoteFile file, string directory, IEnumerable<string>? mirrors = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(directory);
        var target = Path.Combine(directory, file.FileName);
        var urls = (mirrors ?? []).Select(m => m.TrimEnd('/') + "/" + file.FileName).Concat(file.Urls).ToList();
        var failures = new List<string>();
        if (!File.Exists(target))
        {
            foreach (var url in urls)
            {
                try
                {
                    await DownloadToPartAsync(url, target + ".part", file.FileName, cancel);
                    var actual = Checksum(target + ".part", file.Checksum);
                    if (actual == file.Checksum) { File.Move(target + ".part", target, overwrite: true); break; }
                    File.Delete(target + ".part");
                    failures.Add($"{url}: checksum mismatch (expected {file.Checksum}, got {actual})");
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancel.IsCancellationRequested)
                {
                    failures.Add($"{url}: {e.Message}");
                }
            }
            if (!File.Exists(target))
                throw new DeepscopeException($"{target}: download failed from every source: {string.Join("; ", failures)}");
        }
        if (file.IsArchive) Unpack(target, directory);
        return target;
    }

    async Task DownloadToPartAsync(string url, string part, string label, CancellationToken cancel)
    {
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The partial file is not a prefix the server recognises: start over.
            File.Delete(part);
            await DownloadToPartAsync(url, part, label, cancel);
            return;
        }
        response.EnsureSuccessStatusCode();
        bool resumed = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        if (!resumed) have = 0;
        long total = have + (response.Content.Headers.ContentLength ?? 0);
        using var task = _progress.Start($"download {label}", total, "bytes");
        task.Advance(have);
        await using var source = await response.Content.ReadAsStreamAsync(cancel);
        await using var sink = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await source.ReadAsync(buffer, cancel)) > 0)
        {
            await sink.WriteAsync(buffer.AsMemory(0, n), cancel);
            task.Advance(n);
        }
    }

    /// <summary>The file's checksum in the same algorithm and notation as <paramref name="expected"/>.</summary>
    public static string Checksum(string path, string expected)
    {
        using var stream = File.OpenRead(path);
        var (prefix, hash) = expected.StartsWith("sha256:", StringComparison.Ordinal)
            ? ("sha256:", SHA256.HashData(stream)) : ("md5:", MD5.HashData(stream));
        return prefix + Convert.ToHexStringLower(hash);
    }

    static void Unpack(string archive, string directory)
    {
        using var file = File.OpenRead(archive);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var root = Path.GetFullPath(directory) + Path.DirectorySeparatorChar;
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            var destination = Path.GetFullPath(Path.Combine(directory, entry.Name));
            if (!destination.StartsWith(root, StringComparison.Ordinal))
                throw new InvalidDataFileException(archive, $"archive entry '{entry.Name}' points outside the target folder");
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            var temp = IO.AtomicFile.TempPathFor(destination);
            entry.ExtractToFile(temp, overwrite: true);
            File.Move(temp, destination, overwrite: true);
        }
    }
}
