using Deepscope.Catalogs;
using Deepscope.Numerics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using static TorchSharp.torch;

namespace Deepscope.Learners;

/// <summary>
/// Options of gradient boosting (the defaults of LightGBM and of scikit-learn's HistGradientBoostingClassifier: 100
/// rounds, learning rate 0.1, 31 leaves, 20 samples per leaf). <see cref="Threads"/> defaults to 1; null means one
/// per core. LightGBM brings its own OpenMP runtime (the system libgomp) beside libtorch's bundled one, so two pools
/// of spinning threads share the cores: on the loaded 2-core machine 2 threads fitted 19x slower than 1 (459 s vs
/// 24 s, MNIST 2,000 rows); set more threads only on a machine with cores to spare.
/// </summary>
public sealed record BoostOptions
{
    [Param("n_estimators", Min = 1, Description = "boosting rounds")]
    public int Rounds { get; init; } = 100;
    [Param("learning_rate", Description = "shrinkage of each tree (> 0)")]
    public double LearningRate { get; init; } = 0.1;
    [Param("num_leaves", Min = 2, Description = "leaves per tree")]
    public int Leaves { get; init; } = 31;
    [Param("min_samples_leaf", Min = 1, Description = "samples per leaf, at least")]
    public int MinSamplesLeaf { get; init; } = 20;
    [Param("threads", Words = ["all=", "auto="], Min = 1, Description = "LightGBM threads (all: one per core)")]
    public int? Threads { get; init; } = 1;
    [Param("seed", Description = "seed of LightGBM's random choices")]
    public int Seed { get; init; }
}

/// <summary>Multiclass gradient-boosted trees through ML.NET's LightGBM trainer.</summary>
public sealed class LightGbmBoost(BoostOptions? options = null) : ILearner
{
    public BoostOptions Options { get; } = options ?? new BoostOptions();
    public string Name => "boost";

    public IReadOnlyDictionary<string, string> Parameters => OptionsBinder.Values(Options);

    public IClassifier Fit(Tensor x, Tensor y)
    {
        if (Options.Rounds < 1 || Options.Leaves < 2 || Options.MinSamplesLeaf < 1 || Options.LearningRate <= 0)
            throw new DeepscopeException($"boost: need n_estimators >= 1, num_leaves >= 2, min_samples_leaf >= 1, learning_rate > 0; got {Options}");
        var data = LearnerInput.Check(x, y);
        var ml = new MLContext(Options.Seed);
        var trainer = ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
        {
            NumberOfIterations = Options.Rounds,
            LearningRate = Options.LearningRate,
            NumberOfLeaves = Options.Leaves,
            MinimumExampleCountPerLeaf = Options.MinSamplesLeaf,
            NumberOfThreads = Options.Threads ?? Environment.ProcessorCount,
            Seed = Options.Seed,
            // The algorithm of LightGBM's own defaults and of scikit-learn's HistGradientBoostingClassifier: softmax
            // cross-entropy (ML.NET switches to one-vs-all binary objectives below 50,000 rows), no L2 on leaf values
            // (ML.NET: 0.01) and a minimum hessian of 1e-3 per leaf (ML.NET: 0.1).
            UseSoftmax = true,
            Booster = new GradientBooster.Options { L2Regularization = 0, MinimumChildWeight = 1e-3 },
            Silent = true,
            LabelColumnName = "Label",
            FeatureColumnName = "Features",
        });
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(trainer);
        var model = pipeline.Fit(MlNetRows.View(ml, data.X, data.Index));
        return new MlNetModel(data.Classes, data.Features, ml, model);
    }
}

/// <summary>A fitted ML.NET multiclass model (LightGBM, maximum entropy): probabilities from its Score column.</summary>
sealed class MlNetModel(long[] classes, long features, MLContext ml, ITransformer model) : ProbabilisticClassifier(classes, features)
{
    protected override Tensor Probabilities(Tensor x) => FloatMatrix.WithFloat32(x, input =>
        {
            var scored = model.Transform(MlNetRows.View(ml, input, null));
            int k = Classes.Length;
            var result = new float[input.shape[0] * k];
            int row = 0;
            foreach (var score in scored.GetColumn<float[]>("Score"))
                score.AsSpan(0, k).CopyTo(result.AsSpan(row++ * k, k));
            return tensor(result).view(input.shape[0], k);
        });
}

/// <summary>A float32 matrix as an ML.NET data view, streamed row by row from the tensor (rows are copied as read).</summary>
static class MlNetRows
{
    sealed class Row
    {
        public float Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    public static IDataView View(MLContext ml, Tensor x, int[]? label)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, (int)x.shape[1]);
        return ml.Data.LoadFromEnumerable(Rows(new NativeMatrix(x), label), schema);
    }

    static IEnumerable<Row> Rows(NativeMatrix x, int[]? label)
    {
        for (long i = 0; i < x.Rows; i++)
            yield return new Row { Label = label?[i] ?? 0, Features = x.Row(i).ToArray() };
    }
}

/// <summary>
/// ML.NET's L-BFGS maximum-entropy trainer (multinomial logistic regression), kept beside <see cref="LogisticRegression"/>
/// so the two can be measured side by side (<c>logreg-mlnet</c>). Its L2 weight is set to 1 / C; ML.NET scales
/// its data term its own way, so compare the two by accuracy, not by coefficients.
/// </summary>
public sealed class MlNetLogisticRegression(LogisticRegressionOptions? options = null) : ILearner
{
    public LogisticRegressionOptions Options { get; } = options ?? new LogisticRegressionOptions();
    public string Name => "logreg-mlnet";

    public IReadOnlyDictionary<string, string> Parameters => OptionsBinder.Values(Options);

    public IClassifier Fit(Tensor x, Tensor y)
    {
        var data = LearnerInput.Check(x, y);
        var ml = new MLContext(0);
        var trainer = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new Microsoft.ML.Trainers.LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            L2Regularization = (float)(1 / Options.C),
            L1Regularization = 0,
            MaximumNumberOfIterations = Options.MaxIterations,
            OptimizationTolerance = (float)Options.Tolerance,
            LabelColumnName = "Label",
            FeatureColumnName = "Features",
        });
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(trainer);
        return new MlNetModel(data.Classes, data.Features, ml, pipeline.Fit(MlNetRows.View(ml, data.X, data.Index)));
    }
}
