using static TorchSharp.torch;

namespace Deepscope.Embedding;

public enum MdsAlgorithm
{
    /// <summary>Torgerson's classical scaling (eigenvectors of the double-centred squared distances).</summary>
    Classical,
    /// <summary>Metric MDS: stress minimised by SMACOF (de Leeuw 1977), as scikit-learn's <c>MDS</c>.</summary>
    Smacof,
}

public enum MdsInitialization
{
    /// <summary>Uniform in [0, 1) per start, <see cref="MdsOptions.Starts"/> starts (scikit-learn's way).</summary>
    Random,
    /// <summary>One start from the classical solution.</summary>
    Classical,
}

/// <summary>Multidimensional scaling of Euclidean distances between the samples: classical, or metric SMACOF.</summary>
public sealed record MdsOptions : EmbeddingOptions
{
    public MdsAlgorithm Algorithm { get; init; } = MdsAlgorithm.Classical;
    /// <summary>SMACOF: random starts (scikit-learn's n_init); the one of least stress wins.</summary>
    public int Starts { get; init; } = 4;
    public int MaxIter { get; init; } = 300;
    /// <summary>SMACOF: stop when the relative stress improves by less than this.</summary>
    public double Eps { get; init; } = 1e-3;
    public MdsInitialization Init { get; init; } = MdsInitialization.Random;

    public override string Method => "mds";
    public override string DisplayName => Algorithm == MdsAlgorithm.Classical ? "Classical MDS" : "Metric MDS (SMACOF)";

    protected override (float[,] Points, string Settings, Dictionary<string, double> Diagnostics) Run(Tensor x, IProgressReporter progress)
    {
        DenseEmbedding.RequireFits(Method, x.shape[0]);
        var squared = DenseEmbedding.SquaredDistances(x);
        return Algorithm == MdsAlgorithm.Classical ? FitClassical(squared) : FitSmacof(squared.sqrt(), progress);
    }

    /// <summary>Embeds a precomputed symmetric distance matrix (N, N).</summary>
    public EmbeddingResult EmbedDistances(Tensor distances, IProgressReporter? progress = null)
    {
        using var scope = NewDisposeScope();
        var d = distances.to_type(ScalarType.Float64).contiguous();
        if (d.dim() != 2 || d.shape[0] != d.shape[1]) throw new DeepscopeException($"mds: distances must be square (N, N), got ({string.Join(", ", d.shape)})");
        if (!d.isfinite().all().item<bool>() || (d < 0).any().item<bool>()) throw new DeepscopeException("mds: distances must be finite and non-negative");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (points, settings, diagnostics) = Algorithm == MdsAlgorithm.Classical ? FitClassical(d.pow(2)) : FitSmacof(d, progress ?? NoProgress.Instance);
        return new EmbeddingResult(points, DisplayName, settings, diagnostics, clock.Elapsed);
    }

    (float[,], string, Dictionary<string, double>) FitClassical(Tensor squared)
    {
        var (points, eigenvalues) = DenseEmbedding.ClassicalScaling(squared, Components, Seed);
        var diagnostics = new Dictionary<string, double>();
        for (int i = 0; i < eigenvalues.Length; i++) diagnostics[$"eigenvalue_{i + 1}"] = eigenvalues[i];
        return (EmbeddingResult.FromTensor(points), "Euclidean distances", diagnostics);
    }

    (float[,], string, Dictionary<string, double>) FitSmacof(Tensor dissimilarities, IProgressReporter progress)
    {
        if (Starts < 1 || MaxIter < 1 || Eps <= 0) throw new DeepscopeException("mds: starts and max_iter must be ≥ 1 and eps > 0");
        int n = (int)dissimilarities.shape[0];
        var generator = new Generator((ulong)Seed);
        int starts = Init == MdsInitialization.Classical ? 1 : Starts;
        using var task = progress.Start($"SMACOF, {starts} start(s)", starts * MaxIter, "iterations");
        Tensor? best = null;
        double bestStress = double.PositiveInfinity;
        int bestIterations = 0;
        for (int s = 0; s < starts; s++)
        {
            var init = Init == MdsInitialization.Classical
                ? DenseEmbedding.ClassicalScaling(dissimilarities.pow(2), Components, Seed).Points
                : rand([n, Components], ScalarType.Float64, generator: generator);
            var (points, stress, iterations) = Smacof(dissimilarities, init, task);
            if (stress < bestStress) (best, bestStress, bestIterations) = (points, stress, iterations);
        }
        var diagnostics = new Dictionary<string, double> { ["stress"] = bestStress, ["iterations"] = bestIterations };
        string settings = $"{starts} {(Init == MdsInitialization.Classical ? "classical" : "random")} start(s), stress {bestStress:G4}";
        return (EmbeddingResult.FromTensor(best!), settings, diagnostics);
    }

    /// <summary>Guttman transforms X ← B(X)X / N until the stress per unit of configuration size stops improving by <see cref="Eps"/>.</summary>
    (Tensor Points, double Stress, int Iterations) Smacof(Tensor delta, Tensor x, IProgressTask task)
    {
        int n = (int)delta.shape[0];
        double? previous = null;
        double stress = double.NaN;
        int iteration = 0;
        while (iteration < MaxIter)
        {
            using var step = NewDisposeScope();
            iteration++;
            var d = DenseEmbedding.SquaredDistances(x).sqrt();
            stress = (d - delta).pow(2).sum().item<double>() / 2;
            var ratio = delta / d.clamp_min(1e-5);
            var b = -ratio;
            b.diagonal().add_(ratio.sum(1));
            var next = (b.mm(x) / n).MoveToOuterDisposeScope();
            x = next;
            double size = x.pow(2).sum(1).sqrt().sum().item<double>();
            task.Advance(1);
            if (previous is { } p && p - stress / size < Eps) break;
            previous = stress / size;
        }
        return (x, stress, iteration);
    }
}
