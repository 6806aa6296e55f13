using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Deepscope.Tests.Support;

/// <summary>What a page did in the browser.</summary>
public sealed record PageCheck(int Images, int BrokenImages, IReadOnlyList<string> ConsoleErrors, string Title, byte[] Screenshot);

/// <summary>
/// Opens a local HTML file in Debian's headless Chromium and inspects it over the DevTools protocol: console errors
/// and exceptions, images that failed to decode, the title, and a full-page screenshot.
/// </summary>
public static class HeadlessChromium
{
    /// <summary>
    /// How long one step (the browser's start, a call, the page's load) may take before the browser counts as hung. Not a
    /// speed target: on the shared 2-core machine Chromium took 50-74 s for a whole check at a thirtieth of a core, with
    /// single steps near the 60 s this once was; loads of 30-80 (session 7) give it less still.
    /// </summary>
    static readonly TimeSpan HungAfter = TimeSpan.FromMinutes(10);

    public static string? Executable { get; } = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    public static async Task<PageCheck> CheckAsync(string htmlFile, CancellationToken cancel)
    {
        if (Executable == null) Assert.Skip("headless Chromium not installed (apt-get install chromium)");
        using var profile = new TempDir();
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--remote-debugging-port=0", $"--user-data-dir={profile.Path}", "--window-size=1280,900", "about:blank",
                 })
            start.ArgumentList.Add(arg);
        using var browser = Process.Start(start)!;
        try
        {
            var endpoint = await ReadDevToolsEndpoint(browser, cancel);
            using var cdp = await DevTools.ConnectAsync(endpoint, cancel);
            var target = await cdp.Call("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, cancel: cancel);
            var attached = await cdp.Call("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true }, cancel: cancel);
            var session = attached["sessionId"]!.GetValue<string>();
            foreach (var domain in new[] { "Runtime.enable", "Log.enable", "Page.enable" }) await cdp.Call(domain, null, session, cancel);
            // Waited for from before the navigation, so neither a load that comes quickly nor an earlier one (about:blank's) is taken for it.
            var loaded = cdp.WaitForEvent("Page.loadEventFired", cancel);
            await cdp.Call("Page.navigate", new JsonObject { ["url"] = new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri }, session, cancel);
            await loaded;
            var images = await Evaluate(cdp, session, "JSON.stringify([document.images.length, Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length, document.title])", cancel);
            var parsed = JsonNode.Parse(images)!.AsArray();
            var shot = await cdp.Call("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true }, session, cancel);
            return new PageCheck(parsed[0]!.GetValue<int>(), parsed[1]!.GetValue<int>(), cdp.Errors.ToList(), parsed[2]!.GetValue<string>(),
                Convert.FromBase64String(shot["data"]!.GetValue<string>()));
        }
        finally
        {
            try { browser.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
    }

    static async Task<string> Evaluate(DevTools cdp, string session, string expression, CancellationToken cancel)
    {
        var result = await cdp.Call("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, session, cancel);
        return result["result"]!["value"]!.GetValue<string>();
    }

    static async Task<string> ReadDevToolsEndpoint(Process browser, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(HungAfter);
        while (await browser.StandardError.ReadLineAsync(timeout.Token) is { } line)
            if (line.StartsWith("DevTools listening on ", StringComparison.Ordinal)) return line["DevTools listening on ".Length..].Trim();
        throw new InvalidOperationException("Chromium exited without opening its DevTools endpoint");
    }

    /// <summary>A minimal DevTools-protocol client: numbered calls and a record of events and errors.</summary>
    sealed class DevTools : IDisposable
    {
        readonly ClientWebSocket _socket = new();
        readonly Dictionary<int, TaskCompletionSource<JsonNode>> _pending = new();
        readonly List<(string Method, TaskCompletionSource Seen)> _waits = new();
        int _next;
        Task? _reader;
        public List<string> Errors { get; } = new();

        public static async Task<DevTools> ConnectAsync(string url, CancellationToken cancel)
        {
            var d = new DevTools();
            d._socket.Options.KeepAliveInterval = TimeSpan.Zero;
            await d._socket.ConnectAsync(new Uri(url), cancel);
            d._reader = Task.Run(() => d.Read(cancel), cancel);
            return d;
        }

        public async Task<JsonNode> Call(string method, JsonObject? parameters, string? session = null, CancellationToken cancel = default)
        {
            var id = Interlocked.Increment(ref _next);
            var done = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_pending) _pending[id] = done;
            var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
            if (session != null) message["sessionId"] = session;
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancel);
            return await done.Task.WaitAsync(HungAfter, cancel);
        }

        /// <summary>The next <paramref name="method"/> event from now on.</summary>
        public Task WaitForEvent(string method, CancellationToken cancel)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waits) _waits.Add((method, seen));
            return seen.Task.WaitAsync(HungAfter, cancel);
        }

        async Task Read(CancellationToken cancel)
        {
            var buffer = new byte[1 << 20];
            var message = new MemoryStream();
            while (_socket.State == WebSocketState.Open)
            {
                WebSocketReceiveResult part;
                try { part = await _socket.ReceiveAsync(buffer, cancel); }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException) { return; }
                message.Write(buffer, 0, part.Count);
                if (!part.EndOfMessage) continue;
                var node = JsonNode.Parse(message.ToArray())!;
                message.SetLength(0);
                if (node["id"] is { } id)
                {
                    TaskCompletionSource<JsonNode>? waiter;
                    lock (_pending) _pending.Remove(id.GetValue<int>(), out waiter);
                    if (node["error"] is { } error) waiter?.TrySetException(new InvalidOperationException(error.ToJsonString()));
                    else waiter?.TrySetResult(node["result"] ?? new JsonObject());
                    continue;
                }
                var method = node["method"]?.GetValue<string>() ?? "";
                Record(method, node["params"]);
                lock (_waits)
                    foreach (var w in _waits.Where(w => w.Method == method).ToList()) { w.Seen.TrySetResult(); _waits.Remove(w); }
            }
        }

        void Record(string method, JsonNode? p)
        {
            string? error = method switch
            {
                "Runtime.exceptionThrown" => p?["exceptionDetails"]?.ToJsonString(),
                "Runtime.consoleAPICalled" when p?["type"]?.GetValue<string>() is "error" or "assert" => p["args"]?.ToJsonString(),
                "Log.entryAdded" when p?["entry"]?["level"]?.GetValue<string>() == "error" => p["entry"]?["text"]?.GetValue<string>(),
                _ => null,
            };
            if (error != null) lock (Errors) Errors.Add(error);
        }

        public void Dispose()
        {
            _socket.Abort();
            _socket.Dispose();
        }
    }
}
