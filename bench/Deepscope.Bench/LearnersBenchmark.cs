using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Deepscope.Data;
using Deepscope.IO;
using Deepscope.Learners;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// The classical learners on MNIST pixels / 255 (first N training images, full test set), default options: accuracy,
/// fit and predict seconds (wall and CPU) per learner and the total of the six scikit-learn also has. bench/peers/run_learners.sh
/// runs it beside bench/peers/sklearn_learners.py.
/// </summary>
public sealed class LearnersBenchmark : IBenchmark
{
    public string Name => "learners";
    public string Description => "lda, logreg, svm-linear, svm-rbf, rf, knn, boost on MNIST 10k/10k: accuracy, fit/predict s [--train N] [--models a,b] [--repeat R] [--json out] [--threads T] [--data-dir D] [--features-dir D]";

    static readonly string[] Six = ["lda", "logreg", "svm-linear", "svm-rbf", "rf", "knn"];

    public int Run(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int train = int.Parse(Arg("--train") ?? "10000", CultureInfo.InvariantCulture);
        int repeat = int.Parse(Arg("--repeat") ?? "1", CultureInfo.InvariantCulture);
        var models = (Arg("--models") ?? string.Join(",", Six) + ",boost").Split(',', StringSplitOptions.RemoveEmptyEntries);
        TorchRuntime.Configure(Arg("--threads") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : null);

        var (xTrain, yTrain, xTest, yTest, source) = Load(Arg("--data-dir"), Arg("--features-dir"), train);
        Console.WriteLine($"data: {source}, train {xTrain.shape[0]} x {xTrain.shape[1]}, test {xTest.shape[0]}; threads {get_num_threads()}; {Environment.ProcessorCount} cores");
        // CPU seconds beside wall seconds: on a shared core the wall clock also counts the other processes' turns.
        Console.WriteLine($"{"model",-24} {"accuracy",9} {"fit s",9} {"predict s",10} {"fit cpu",9} {"pred. cpu",10}");
        using var process = Process.GetCurrentProcess();
        double CpuSince(ref TimeSpan start)
        {
            process.Refresh();
            var now = process.TotalProcessorTime;
            double seconds = (now - start).TotalSeconds;
            start = now;
            return seconds;
        }
        var rows = new List<Dictionary<string, object>>();
        foreach (var spec in models)
        {
            // "boost:threads=1" style: a model name and its parameters.
            var parts = spec.Split(':');
            var parameters = Deepscope.Catalogs.OptionsBinder.ParsePairs(parts.Skip(1).SelectMany(p => p.Split(';')));
            for (int r = 0; r < repeat; r++)
            {
                var learner = LearnerCatalog.Create(parts[0], parameters);
                var clock = Stopwatch.StartNew();
                var cpu = process.TotalProcessorTime;
                using var model = learner.Fit(xTrain, yTrain);
                double fit = clock.Elapsed.TotalSeconds, fitCpu = CpuSince(ref cpu);
                clock.Restart();
                double accuracy = model.Score(xTest, yTest);
                double predict = clock.Elapsed.TotalSeconds, predictCpu = CpuSince(ref cpu);
                Console.WriteLine($"{spec,-24} {accuracy,9:F4} {fit,9:F2} {predict,10:F2} {fitCpu,9:F2} {predictCpu,10:F2}");
                rows.Add(new()
                {
                    ["model"] = spec, ["accuracy"] = accuracy, ["fit_seconds"] = fit, ["predict_seconds"] = predict,
                    ["fit_cpu_seconds"] = fitCpu, ["predict_cpu_seconds"] = predictCpu, ["repeat"] = r,
                });
            }
        }
        var six = rows.Where(r => Six.Contains((string)r["model"])).ToList();
        if (six.Select(r => r["model"]).Distinct().Count() == Six.Length)
        {
            double total = six.Sum(r => (double)r["fit_seconds"] + (double)r["predict_seconds"]) / repeat;
            double totalCpu = six.Sum(r => (double)r["fit_cpu_seconds"] + (double)r["predict_cpu_seconds"]) / repeat;
            Console.WriteLine($"{"total (six, fit+predict)",-24} {"",9} {total,20:F2} {totalCpu,20:F2}");
        }
        if (Arg("--json") is { } json)
            AtomicFile.WriteAllText(json, JsonSerializer.Serialize(new { source, train = xTrain.shape[0], test = xTest.shape[0], threads = get_num_threads(), results = rows },
                new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    static (Tensor XTrain, Tensor YTrain, Tensor XTest, Tensor YTest, string Source) Load(string? dataDir, string? featuresDir, int train)
    {
        if (featuresDir != null)
        {
            var x = Npy.Read(Path.Combine(featuresDir, "train_features.npy"));
            var y = Npy.Read(Path.Combine(featuresDir, "train_labels.npy"));
            return (x.narrow(0, 0, Math.Min(train, x.shape[0])).contiguous(), y.narrow(0, 0, Math.Min(train, y.shape[0])),
                Npy.Read(Path.Combine(featuresDir, "test_features.npy")), Npy.Read(Path.Combine(featuresDir, "test_labels.npy")), featuresDir);
        }
        var store = new DatasetStore(DataDirectory.Resolve(dataDir ?? DefaultData()), allowDownload: false);
        using var trainSet = store.Load(Datasets.Get("mnist"), Split.Train);
        using var testSet = store.Load(Datasets.Get("mnist"), Split.Test);
        using var first = trainSet.Take(train);
        using var trainPixels = first.ToFloat();
        using var testPixels = testSet.ToFloat();
        return (trainPixels.reshape(trainPixels.shape[0], -1).contiguous(), first.Labels.clone(),
            testPixels.reshape(testPixels.shape[0], -1).contiguous(), testSet.Labels.clone(), store.FolderOf(Datasets.Get("mnist")));
    }

    /// <summary>The nearest shared/data above the program (the machine's real data), else the default data directory.</summary>
    static string? DefaultData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "shared", "data", "mnist")))
                return Path.Combine(dir.FullName, "shared", "data");
        return null;
    }
}
