using Deepscope.Catalogs;
using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Learners;

/// <summary>
/// Options of the RBF kernel SVM (scikit-learn SVC's defaults): C = 1; <see cref="Gamma"/> null means "scale",
/// 1 / (D Var(X)), and <see cref="double.NaN"/> means "auto", 1 / D; stopping tolerance 1e-3; kernel cache in MB.
/// </summary>
public sealed record RbfSvmOptions
{
    [Param("C", Description = "inverse regularisation strength (> 0)")]
    public double C { get; init; } = 1.0;
    [Param("gamma", Words = ["scale=", "auto=NaN"], Description = "kernel width: scale = 1 / (D Var X), auto = 1 / D, or a positive number")]
    public double? Gamma { get; init; }
    [Param("tol", Description = "stopping tolerance of SMO (> 0)")]
    public double Tolerance { get; init; } = 1e-3;
    [Param("cache_mb", Min = 1, Description = "kernel row cache, in MB")]
    public int CacheMegabytes { get; init; } = 1024;
    [Param("max_iter", Min = 1, Description = "SMO iterations per binary problem")]
    public int MaxIterations { get; init; } = 10_000_000;
}

/// <summary>
/// Exact C-SVM with the RBF kernel, multiclass by one-vs-one (K(K-1)/2 binary problems, majority vote, ties to the
/// lower class as LIBSVM). Each problem is solved by <see cref="SmoSolver"/> over kernel rows computed from the
/// training matrix in place and cached (<see cref="RbfKernelCache"/>). No approximation of the kernel.
/// </summary>
public sealed class RbfSvm(RbfSvmOptions? options = null) : ILearner
{
    public RbfSvmOptions Options { get; } = options ?? new RbfSvmOptions();
    public string Name => "svm-rbf";

    public IReadOnlyDictionary<string, string> Parameters => OptionsBinder.Values(Options);

    public IClassifier Fit(Tensor x, Tensor y) => FitModel(x, y);

    public RbfSvmModel FitModel(Tensor x, Tensor y)
    {
        if (Options.C <= 0) throw new DeepscopeException($"svm-rbf: C must be positive; got {Options.C}");
        if (Options.Gamma is double g0 && !double.IsNaN(g0) && g0 <= 0) throw new DeepscopeException($"svm-rbf: gamma must be positive, scale or auto; got {g0}");
        if (Options.Tolerance <= 0) throw new DeepscopeException($"svm-rbf: tol must be positive; got {Options.Tolerance}");
        var data = LearnerInput.Check(x, y);
        double gamma = Options.Gamma switch
        {
            null => 1 / (data.Features * Math.Max(Variance(data.X), 1e-300)),
            double g when double.IsNaN(g) => 1.0 / data.Features,
            double g => g,
        };
        var matrix = new NativeMatrix(data.X);
        var norms = matrix.SquaredNorms();
        int k = data.ClassCount;
        var byClass = Enumerable.Range(0, k).Select(c => new List<int>()).ToArray();
        for (int i = 0; i < data.Index.Length; i++) byClass[data.Index[i]].Add(i);

        var pairs = new List<BinarySvm>();
        long cacheBytes = (long)Options.CacheMegabytes << 20;
        for (int a = 0; a < k; a++)
            for (int b = a + 1; b < k; b++)
            {
                int[] members = [.. byClass[a], .. byClass[b]];
                var labels = new sbyte[members.Length];
                for (int t = 0; t < members.Length; t++) labels[t] = t < byClass[a].Count ? (sbyte)1 : (sbyte)-1;
                var cache = new RbfKernelCache(matrix, members, norms, gamma, cacheBytes);
                var solution = SmoSolver.Solve(cache, labels, Options.C, Options.Tolerance, Options.MaxIterations);
                var support = Enumerable.Range(0, members.Length).Where(t => solution.Alpha[t] > 0).ToArray();
                pairs.Add(new BinarySvm(a, b, Array.ConvertAll(support, t => members[t]),
                    Array.ConvertAll(support, t => solution.Alpha[t] * labels[t]), solution.Rho, solution.Objective, solution.Iterations, solution.Converged));
            }
        return RbfSvmModel.Create(data, gamma, pairs);
    }

    /// <summary>Variance of all entries (numpy's X.var()), accumulated in float64 blocks.</summary>
    internal static double Variance(Tensor x)
    {
        double sum = 0, squares = 0;
        foreach (var (start, length) in RowBlocks.Of(x.shape[0], x.shape[1]))
        {
            using var scope = NewDisposeScope();
            var block = x.narrow(0, start, length).to_type(ScalarType.Float64);
            sum += block.sum().item<double>();
            squares += block.square().sum().item<double>();
        }
        double count = (double)x.shape[0] * x.shape[1], mean = sum / count;
        return Math.Max(0, squares / count - mean * mean);
    }
}

/// <summary>One solved one-vs-one problem: class a (+1) against class b (-1); decision sum coef_i K(sv_i, x) - rho.</summary>
public sealed record BinarySvm(int ClassA, int ClassB, int[] SupportRows, double[] Coefficients, double Rho, double DualObjective, int Iterations, bool Converged);

/// <summary>
/// A fitted RBF SVM: the union of support vectors (M, D), their dual coefficients per pair (M, P) and biases (P);
/// prediction is one kernel block and one matrix product per batch of rows, then the one-vs-one vote.
/// </summary>
public sealed class RbfSvmModel : Classifier
{
    readonly Tensor _supportVectors, _supportNorms, _coefficients, _rho, _voteA, _voteB;

    RbfSvmModel(long[] classes, long features, double gamma, IReadOnlyList<BinarySvm> pairs, Tensor supportVectors, Tensor coefficients, Tensor rho, Tensor voteA, Tensor voteB)
        : base(classes, features)
    {
        Gamma = gamma;
        Pairs = pairs;
        _supportVectors = supportVectors;
        _supportNorms = tensor(new NativeMatrix(supportVectors).SquaredNorms());
        _coefficients = coefficients;
        _rho = rho;
        _voteA = voteA;
        _voteB = voteB;
    }

    public double Gamma { get; }
    public IReadOnlyList<BinarySvm> Pairs { get; }
    public long SupportVectorCount => _supportVectors.shape[0];

    internal static RbfSvmModel Create(TrainingSet data, double gamma, List<BinarySvm> pairs)
    {
        var rows = pairs.SelectMany(p => p.SupportRows).Distinct().Order().ToArray();
        var position = new Dictionary<int, int>(rows.Length);
        for (int i = 0; i < rows.Length; i++) position[rows[i]] = i;
        int p = pairs.Count, k = data.ClassCount;
        var coefficients = new float[rows.Length * p];
        var voteA = new float[p * k];
        var voteB = new float[p * k];
        for (int q = 0; q < p; q++)
        {
            var pair = pairs[q];
            for (int s = 0; s < pair.SupportRows.Length; s++) coefficients[position[pair.SupportRows[s]] * p + q] = (float)pair.Coefficients[s];
            voteA[q * k + pair.ClassA] = 1;
            voteB[q * k + pair.ClassB] = 1;
        }
        using var index = tensor(Array.ConvertAll(rows, r => (long)r));
        return new RbfSvmModel(data.Classes, data.Features, gamma, pairs, data.X.index_select(0, index),
            tensor(coefficients).view(rows.Length, p), tensor(pairs.Select(q => (float)q.Rho).ToArray()),
            tensor(voteA).view(p, k), tensor(voteB).view(p, k));
    }

    /// <summary>One-vs-one decision values (N, P), pairs ordered (0,1), (0,2), ..., (K-2,K-1) as scikit-learn's ovo.</summary>
    public Tensor DecisionFunction(Tensor x)
    {
        LearnerInput.CheckFeatures(x, Features);
        return Decisions(x);
    }

    Tensor Decisions(Tensor x) => RowBlocks.Map(x, part =>
    {
        using var scope = NewDisposeScope();
        var kernel = part.mm(_supportVectors.t()).mul_(-2).add_(part.square().sum(1, keepdim: true)).add_(_supportNorms).clamp_min_(0).mul_(-Gamma).exp_();
        return kernel.mm(_coefficients).sub_(_rho).MoveToOuterDisposeScope();
    }, Math.Max(256, (64L << 20) / (4 * Math.Max(1, _supportVectors.shape[0]))));

    /// <summary>The one pair's decision is positive for class 0, so its negation scores class 1.</summary>
    protected override Tensor? SecondClassScores(Tensor x)
    {
        using var decisions = Decisions(x);
        return decisions.select(1, 0).neg();
    }

    protected override Tensor PredictIndices(Tensor x)
    {
        using var scope = NewDisposeScope();
        var decisions = Decisions(x);
        var positive = decisions.gt(0).to_type(ScalarType.Float32);
        var votes = positive.mm(_voteA).add_((1 - positive).mm(_voteB));
        return votes.argmax(1).MoveToOuterDisposeScope();
    }

    public override void Dispose()
    {
        foreach (var t in new[] { _supportVectors, _supportNorms, _coefficients, _rho, _voteA, _voteB }) t.Dispose();
        base.Dispose();
    }
}
