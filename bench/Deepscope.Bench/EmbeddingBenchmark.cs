using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Deepscope.Data;
using Deepscope.Embedding;
using Deepscope.IO;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// Embeds the first N MNIST test images (pixels / 255) with Deepscope and, back to back in the same run, with
/// scikit-learn (bench/peers/sklearn_embedding.py under /usr/bin/python3); prints seconds, trustworthiness (k = 10,
/// both embeddings measured by the same code) and the time ratio per method.
/// </summary>
public sealed class EmbeddingBenchmark : IBenchmark
{
    public string Name => "embedding";
    public string Description => "PCA/Isomap/t-SNE... on N MNIST test images vs scikit-learn, side by side [--n 5000] [--methods pca,isomap,tsne] [--repeats 1] [--no-peer] [--data-dir D]";

    public int Run(string[] args)
    {
        int n = int.Parse(Option(args, "--n") ?? "5000", CultureInfo.InvariantCulture);
        int repeats = int.Parse(Option(args, "--repeats") ?? "1", CultureInfo.InvariantCulture);
        var methods = (Option(args, "--methods") ?? "pca,isomap,tsne").Split(',', StringSplitOptions.RemoveEmptyEntries);
        bool peer = !args.Contains("--no-peer");
        TorchRuntime.Configure();

        using var test = new DatasetStore(DataDirectory.Resolve(Option(args, "--data-dir")), allowDownload: false).Load("mnist", Split.Test);
        using var subset = test.Take(n);
        using var x = subset.ToFloat().reshape(n, -1);
        Console.WriteLine($"MNIST test, first {n} images ({x.shape[1]} pixels / 255); {Environment.ProcessorCount} cores, libtorch threads {get_num_threads()}");

        var work = Directory.CreateTempSubdirectory("deepscope-embedding-bench-").FullName;
        try
        {
            var featuresPath = Path.Combine(work, "features.npy");
            Npy.Write(featuresPath, x);
            for (int r = 1; r <= repeats; r++)
            {
                Console.WriteLine($"-- repeat {r}/{repeats}");
                var ours = new Dictionary<string, (double Seconds, EmbeddingQuality Quality, EmbeddingResult Result)>();
                foreach (var method in methods)
                {
                    var options = Embedders.Create(method);
                    var result = options.Embed(x);
                    using var e = result.ToTensor();
                    var quality = EmbeddingQuality.Measure(x, e, 10);
                    ours[method] = (result.Elapsed.TotalSeconds, quality, result);
                    string extra = result.Diagnostics.TryGetValue("kl_divergence", out var kl) ? $", KL {kl:F4}" : "";
                    Console.WriteLine($"deepscope {method,-9} {result.Elapsed.TotalSeconds,8:F2} s  T(10) {quality.Trustworthiness:F5}  C(10) {quality.Continuity:F5}{extra}  [{result.Settings}]");
                }
                if (!peer) continue;
                foreach (var line in RunPeer(featuresPath, methods, work))
                {
                    using var doc = JsonDocument.Parse(line);
                    var root = doc.RootElement;
                    string method = root.GetProperty("method").GetString()!;
                    double seconds = root.GetProperty("seconds").GetDouble();
                    using var e = Npy.Read(Path.Combine(work, method + ".npy"));
                    var quality = EmbeddingQuality.Measure(x, e, 10);
                    string extra = root.TryGetProperty("kl_divergence", out var kl) ? $", KL {kl.GetDouble():F4}" : "";
                    Console.WriteLine($"sklearn   {method,-9} {seconds,8:F2} s  T(10) {quality.Trustworthiness:F5}  C(10) {quality.Continuity:F5}{extra}  (sklearn's own trustworthiness {root.GetProperty("trustworthiness").GetDouble():F4})");
                    var mine = ours[method];
                    Console.WriteLine($"  => {method}: deepscope {seconds / mine.Seconds:F2}x faster, ΔT(10) = {mine.Quality.Trustworthiness - quality.Trustworthiness:+0.00000;-0.00000;0}");
                }
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        return 0;
    }

    static IEnumerable<string> RunPeer(string features, IEnumerable<string> methods, string outDir)
    {
        var script = Path.Combine(RepositoryRoot(), "bench", "peers", "sklearn_embedding.py");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { script, "--features", features, "--methods", string.Join(",", methods), "--out-dir", outDir }) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start /usr/bin/python3");
        while (process.StandardOutput.ReadLine() is { } line)
            if (line.StartsWith('{')) yield return line;
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{script} exited with {process.ExitCode}");
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Deepscope.slnx"))) return dir.FullName;
        throw new InvalidOperationException("repository root (Deepscope.slnx) not found above " + AppContext.BaseDirectory);
    }

    static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
