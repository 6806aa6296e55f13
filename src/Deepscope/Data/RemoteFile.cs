namespace Deepscope.Data;

/// <summary>
/// A file of a public dataset: its name, checksum (<c>md5:…</c> or <c>sha256:…</c>) and official URLs, tried in order.
/// An archive (.tar.gz) is unpacked into the dataset folder after download.
/// </summary>
public sealed record RemoteFile(string FileName, string Checksum, IReadOnlyList<string> Urls, bool IsArchive = false)
{
    public static RemoteFile Md5(string fileName, string md5, params string[] baseUrls) =>
        new(fileName, "md5:" + md5, baseUrls.Select(u => u.EndsWith('/') ? u + fileName : u).ToArray(), fileName.EndsWith(".tar.gz", StringComparison.Ordinal));
}
