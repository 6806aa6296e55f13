using Deepscope.Catalogs;
using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Learners;

/// <summary>
/// Options of the random forest (scikit-learn's defaults: 100 trees, sqrt(D) candidate features per split, fully
/// grown, bootstrap). <see cref="MaxFeatures"/> null means floor(sqrt(D)). <see cref="Seed"/> fixes the bootstraps
/// and feature draws (tree t uses its own generator, so results do not depend on thread scheduling).
/// </summary>
public sealed record RandomForestOptions
{
    [Param("n_estimators", Min = 1, Description = "trees")]
    public int Trees { get; init; } = 100;
    [Param("max_features", Words = ["sqrt="], Min = 1, Description = "candidate features per split: sqrt or a count")]
    public int? MaxFeatures { get; init; }
    [Param("max_depth", Min = 1, Description = "depth limit (none: grow to purity)")]
    public int? MaxDepth { get; init; }
    [Param("min_samples_split", Min = 2, Description = "samples a node needs to be split")]
    public int MinSamplesSplit { get; init; } = 2;
    [Param("min_samples_leaf", Min = 1, Description = "samples per leaf, at least")]
    public int MinSamplesLeaf { get; init; } = 1;
    [Param("bootstrap", Description = "grow each tree on a bootstrap sample")]
    public bool Bootstrap { get; init; } = true;
    [Param("seed", Description = "seed of the bootstraps and feature draws")]
    public int Seed { get; init; }
    [Param("threads", Words = ["all=", "auto="], Min = 1, Description = "trees grown in parallel (all: one per core)")]
    public int? Threads { get; init; }
}

/// <summary>
/// Breiman's random forest: each tree is a CART grown to purity on a bootstrap sample (counts as weights, as
/// scikit-learn), splitting on the best Gini threshold among a fresh random subset of features at every node; trees
/// grow in parallel. Prediction averages the trees' leaf class distributions.
/// </summary>
public sealed class RandomForest(RandomForestOptions? options = null) : ILearner
{
    public RandomForestOptions Options { get; } = options ?? new RandomForestOptions();
    public string Name => "rf";

    public IReadOnlyDictionary<string, string> Parameters => OptionsBinder.Values(Options);

    public IClassifier Fit(Tensor x, Tensor y) => FitModel(x, y);

    public RandomForestModel FitModel(Tensor x, Tensor y)
    {
        if (Options.Trees < 1) throw new DeepscopeException($"rf: n_estimators must be at least 1; got {Options.Trees}");
        if (Options.MinSamplesSplit < 2) throw new DeepscopeException($"rf: min_samples_split must be at least 2; got {Options.MinSamplesSplit}");
        if (Options.MinSamplesLeaf < 1) throw new DeepscopeException($"rf: min_samples_leaf must be at least 1; got {Options.MinSamplesLeaf}");
        if (Options.MaxDepth is < 1) throw new DeepscopeException($"rf: max_depth must be at least 1; got {Options.MaxDepth}");
        var data = LearnerInput.Check(x, y);
        int d = (int)data.Features;
        int features = Options.MaxFeatures ?? Math.Max(1, (int)Math.Sqrt(d));
        if (features < 1 || features > d) throw new DeepscopeException($"rf: max_features must be in [1, {d}]; got {features}");
        var matrix = new NativeMatrix(data.X);
        var trees = new DecisionTree[Options.Trees];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.Threads ?? Environment.ProcessorCount };
        Parallel.For(0, Options.Trees, parallel, () => new TreeGrower(matrix, data.Index, data.ClassCount, features, Options),
            (t, _, grower) =>
            {
                trees[t] = grower.Grow(new Random(TreeSeed(Options.Seed, t)));
                return grower;
            }, _ => { });
        return new RandomForestModel(data.Classes, data.Features, trees);
    }

    /// <summary>
    /// Tree <paramref name="tree"/>'s generator seed: SplitMix64's first output from state (seed, tree). Not
    /// HashCode.Combine, whose per-process random salt made the same seed grow different forests in every run.
    /// </summary>
    internal static int TreeSeed(int seed, int tree) => (int)SplitMix64.Next((ulong)(uint)seed << 32 | (uint)tree);
}

/// <summary>A grown tree in flat arrays; <see cref="Feature"/> is -1 at leaves, whose class distribution is in <see cref="Value"/>.</summary>
public sealed record DecisionTree(int[] Feature, float[] Threshold, int[] Left, int[] Right, float[] Value, int Classes)
{
    public int Nodes => Feature.Length;

    public int Leaves => Feature.Count(f => f < 0);

    /// <summary>Index of the node (a leaf) that row <paramref name="row"/> of x reaches.</summary>
    internal int Leaf(NativeMatrix x, long row)
    {
        int node = 0;
        while (Feature[node] >= 0) node = x[row, Feature[node]] <= Threshold[node] ? Left[node] : Right[node];
        return node;
    }

    public int Depth()
    {
        int Walk(int node) => Feature[node] < 0 ? 0 : 1 + Math.Max(Walk(Left[node]), Walk(Right[node]));
        return Walk(0);
    }
}

/// <summary>A fitted random forest.</summary>
public sealed class RandomForestModel(long[] classes, long features, DecisionTree[] trees) : ProbabilisticClassifier(classes, features)
{
    public IReadOnlyList<DecisionTree> Trees { get; } = trees;

    protected override Tensor Probabilities(Tensor x) => FloatMatrix.WithFloat32(x, input =>
        {
            var matrix = new NativeMatrix(input);
            int k = Classes.Length;
            long n = matrix.Rows;
            var result = new float[n * k];
            Parallel.For(0L, n, row =>
            {
                var sums = result.AsSpan((int)(row * k), k);
                foreach (var tree in Trees)
                {
                    var value = tree.Value.AsSpan(tree.Leaf(matrix, row) * k, k);
                    for (int c = 0; c < k; c++) sums[c] += value[c];
                }
                for (int c = 0; c < k; c++) sums[c] /= Trees.Count;
            });
            return tensor(result).view(n, k);
        });
}
