using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using Deepscope.Data;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Data;

/// <summary>Downloads from a local HTTP server on 127.0.0.1 (never the real URLs): checksums, resume, archives.</summary>
public sealed class DownloaderTests : IDisposable
{
    readonly LocalFileServer _server = new();
    readonly TempDir _dir = new();
    static readonly HttpClient Http = new();

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task GoodFileIsVerifiedAndRenamedIntoPlace()
    {
        var content = RandomBytes(200_000, seed: 1);
        _server.Files["/data/a.bin"] = content;
        var file = RemoteFile.Md5("a.bin", Md5(content), _server.BaseUrl + "data/");
        var path = await new Downloader(Http).FetchAsync(file, _dir.File("out"), cancel: TestContext.Current.CancellationToken);
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".part"));
    }

    [Fact]
    public async Task CorruptedFileIsRejectedAndTheNextSourceUsed()
    {
        var content = RandomBytes(50_000, seed: 2);
        var corrupted = (byte[])content.Clone();
        corrupted[1234] ^= 0xFF;
        _server.Files["/bad/a.bin"] = corrupted;
        var onlyBad = RemoteFile.Md5("a.bin", Md5(content), _server.BaseUrl + "bad/");
        var error = await Assert.ThrowsAsync<DeepscopeException>(() => new Downloader(Http).FetchAsync(onlyBad, _dir.Path, cancel: TestContext.Current.CancellationToken));
        Assert.Contains("checksum mismatch", error.Message);
        Assert.Contains("a.bin", error.Message);
        Assert.Empty(Directory.GetFiles(_dir.Path)); // nothing half-written left behind

        _server.Files["/good/a.bin"] = content;
        var withMirror = RemoteFile.Md5("a.bin", Md5(content), _server.BaseUrl + "bad/", _server.BaseUrl + "good/");
        var path = await new Downloader(Http).FetchAsync(withMirror, _dir.Path, cancel: TestContext.Current.CancellationToken);
        Assert.Equal(content, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task InterruptedDownloadResumesWithARangeRequest()
    {
        var content = RandomBytes(300_000, seed: 3);
        _server.Files["/r/a.bin"] = content;
        File.WriteAllBytes(_dir.File("a.bin.part"), content[..120_000]);
        var file = RemoteFile.Md5("a.bin", Md5(content), _server.BaseUrl + "r/");
        var path = await new Downloader(Http).FetchAsync(file, _dir.Path, cancel: TestContext.Current.CancellationToken);
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Equal("bytes=120000-", _server.RangeHeaders.Single());
        Assert.Equal(180_000, _server.BytesServed);
    }

    [Fact]
    public async Task ArchivesAreUnpackedIntoTheDatasetFolder()
    {
        using var archive = new MemoryStream();
        using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "inner/batch.bin") { DataStream = new MemoryStream([1, 2, 3]) };
            tar.WriteEntry(entry);
        }
        var bytes = archive.ToArray();
        _server.Files["/x.tar.gz"] = bytes;
        await new Downloader(Http).FetchAsync(RemoteFile.Md5("x.tar.gz", Md5(bytes), _server.BaseUrl), _dir.Path, cancel: TestContext.Current.CancellationToken);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(_dir.File("inner/batch.bin")));
    }

    [Fact]
    public void CliDownloadsFashionMnistFromAMirrorAndChecksOfficialChecksums()
    {
        // The shared Fashion-MNIST files are byte-identical to the official release, so they pass the official MD5s.
        var data = SharedData.Require("fashion-mnist");
        foreach (var f in Directory.GetFiles(Path.Combine(data, "fashion-mnist"), "*.gz"))
            _server.Files["/mirror/fashion-mnist/" + Path.GetFileName(f)] = File.ReadAllBytes(f);
        var target = _dir.File("cache");
        var (exit, stdout, stderr) = CliRunner.Run("data", "download", "fashion-mnist", "--data-dir", target, "--mirror", _server.BaseUrl + "mirror");
        Assert.True(exit == 0, stderr);
        Assert.Contains("downloaded", stdout);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(target, "fashion-mnist"), "*.gz").Length);
        using var test = new DatasetStore(target, allowDownload: false).Load("fashion-mnist", Split.Test);
        Assert.Equal(10000, test.Count);
    }

    static byte[] RandomBytes(int n, int seed)
    {
        var bytes = new byte[n];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    static string Md5(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));
}

/// <summary>A minimal static file server on 127.0.0.1 with byte-range support.</summary>
sealed class LocalFileServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly Task _loop;
    public Dictionary<string, byte[]> Files { get; } = new();
    public List<string> RangeHeaders { get; } = new();
    public long BytesServed;
    public string BaseUrl { get; }

    public LocalFileServer()
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = Random.Shared.Next(20000, 60000);
            BaseUrl = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add(BaseUrl);
            try { _listener.Start(); break; }
            catch (HttpListenerException) when (attempt < 20) { }
        }
        _loop = Task.Run(Serve);
    }

    async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            var response = context.Response;
            if (!Files.TryGetValue(context.Request.Url!.AbsolutePath, out var content))
            {
                response.StatusCode = 404;
                response.Close();
                continue;
            }
            long start = 0;
            var range = context.Request.Headers["Range"];
            if (range != null)
            {
                lock (RangeHeaders) RangeHeaders.Add(range);
                start = long.Parse(range["bytes=".Length..].TrimEnd('-'));
                response.StatusCode = 206;
                response.Headers["Content-Range"] = $"bytes {start}-{content.Length - 1}/{content.Length}";
            }
            response.ContentLength64 = content.Length - start;
            // Counted before sending: the client may finish reading before WriteAsync returns here.
            Interlocked.Add(ref BytesServed, content.Length - start);
            await response.OutputStream.WriteAsync(content.AsMemory((int)start));
            response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
