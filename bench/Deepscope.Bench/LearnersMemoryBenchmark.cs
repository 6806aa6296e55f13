using System.Diagnostics;
using System.Globalization;
using Deepscope.Learners;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// Memory at scale: a random (N, D) float32 matrix (default 60,000 x 4,000, the size of MNIST scattering features)
/// and 10 classes; each learner is fitted with a small iteration budget and the process's peak resident memory is
/// printed beside the matrix size, so a full copy of the matrix would show as +1 matrix.
/// </summary>
public sealed class LearnersMemoryBenchmark : IBenchmark
{
    public string Name => "learners-memory";
    public string Description => "peak memory of each learner on a random 60,000 x 4,000 float32 matrix [--rows N] [--cols D] [--models a,b]";

    public int Run(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        long rows = long.Parse(Arg("--rows") ?? "60000", CultureInfo.InvariantCulture), cols = long.Parse(Arg("--cols") ?? "4000", CultureInfo.InvariantCulture);
        var models = (Arg("--models") ?? "logreg,svm-linear,knn,rf,svm-rbf,lda").Split(',');
        TorchRuntime.Configure();
        manual_seed(0);
        var x = randn(rows, cols);
        var y = randint(0, 10, rows);
        var test = x.narrow(0, 0, 1000);
        double matrixGb = rows * cols * 4 / 1e9;
        var process = Process.GetCurrentProcess();
        double Peak() { process.Refresh(); return process.PeakWorkingSet64 / 1e9; }
        double Resident() { process.Refresh(); return process.WorkingSet64 / 1e9; }
        Console.WriteLine($"matrix {rows} x {cols} float32 = {matrixGb:F2} GB; resident after creating it {Resident():F2} GB, peak {Peak():F2} GB");
        foreach (var name in models)
        {
            ILearner learner = name switch
            {
                "logreg" => new LogisticRegression(new LogisticRegressionOptions { MaxIterations = 3 }),
                "svm-linear" => new LinearSvm(new LinearSvmOptions { MaxIterations = 3 }),
                "rf" => new RandomForest(new RandomForestOptions { Trees = 2, MaxDepth = 12 }),
                "svm-rbf" => new RbfSvm(new RbfSvmOptions { MaxIterations = 5 }),
                _ => LearnerCatalog.Create(name),
            };
            var clock = Stopwatch.StartNew();
            using (var model = learner.Fit(x, y))
            {
                Console.WriteLine($"{name,-12} fit         {clock.Elapsed.TotalSeconds,8:F1} s; peak resident so far {Peak():F2} GB = matrix + {Peak() - matrixGb:F2} GB; resident now {Resident():F2} GB");
                clock.Restart();
                using (model.Predict(test)) { }
            }
            GC.Collect();
            Console.WriteLine($"{name,-12} predict 1000 {clock.Elapsed.TotalSeconds,7:F1} s; peak resident so far {Peak():F2} GB = matrix + {Peak() - matrixGb:F2} GB; resident now {Resident():F2} GB");
        }
        return 0;
    }
}
