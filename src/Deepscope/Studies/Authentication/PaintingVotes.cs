using Deepscope.Learners;
using static TorchSharp.torch;

namespace Deepscope.Studies.Authentication;

/// <summary>
/// One painting's verdict from its patches: the share of patches voting Raphael, the mean Raphael probability (for
/// learners with probabilities), the call, and per patch its score (probability, else the 0/1 vote) for the heat map.
/// Disputed paintings carry a bootstrap interval of the vote share over their patches.
/// </summary>
public sealed record PaintingVote(int Id, string Label, double VoteShare, double? MeanProbability, string Prediction, double[] PatchScores,
    double? IntervalLow = null, double? IntervalHigh = null, string? Truth = null)
{
    /// <summary>Whether the call matches the label (labelled paintings) or the known answer (disputed with truth); null when unknown.</summary>
    public bool? Correct => Label != Painting.Disputed ? Prediction == Label : Truth is null ? null : Prediction == Truth;
}

/// <summary>
/// Leave-one-painting-out evaluation of a pipeline over the labelled paintings (never a patch-level split: all patches
/// of the held-out painting are unseen), patch votes aggregated per painting; then a model on every labelled painting
/// calls each disputed one. Features are standardised on the training paintings' patches only.
/// </summary>
public static class PaintingVotes
{
    const long RaphaelClass = 1;

    public sealed record Verdicts(IReadOnlyList<PaintingVote> LeaveOneOut, IReadOnlyList<PaintingVote> Disputed);

    public static Verdicts Evaluate(IReadOnlyList<(Painting Painting, Tensor Features)> paintings, ILearner learner, double threshold,
        int bootstrap, ulong seed, IProgressReporter progress)
    {
        var labelled = paintings.Where(p => p.Painting.IsLabelled).ToList();
        var folds = new List<PaintingVote>();
        using (var task = progress.Start($"leave one painting out: {learner.Name}", labelled.Count, "paintings"))
            foreach (var held in labelled)
            {
                folds.Add(Vote(labelled.Where(p => p.Painting.Id != held.Painting.Id).ToList(), held, learner, threshold, bootstrap: 0, seed));
                task.Advance(1);
            }
        var disputed = paintings.Where(p => !p.Painting.IsLabelled)
            .Select(p => Vote(labelled, p, learner, threshold, bootstrap, SplitMix(seed, p.Painting.Id))).ToList();
        return new Verdicts(folds, disputed);
    }

    static PaintingVote Vote(IReadOnlyList<(Painting Painting, Tensor Features)> training, (Painting Painting, Tensor Features) target,
        ILearner learner, double threshold, int bootstrap, ulong seed)
    {
        using var scope = NewDisposeScope();
        var x = cat(training.Select(p => p.Features).ToList(), 0);
        var y = cat(training.Select(p => full(p.Features.shape[0], p.Painting.Label == Painting.Raphael ? RaphaelClass : 0L, ScalarType.Int64)).ToList(), 0);
        using var scaler = new StandardScaler().Fit(x);
        using var model = learner.Fit(scaler.Transform(x), y);
        var patches = scaler.Transform(target.Features);
        var votes = model.Predict(patches).eq(RaphaelClass).to_type(ScalarType.Float64).data<double>().ToArray();
        double[]? probabilities = null;
        if (model.HasProbabilities)
        {
            int column = Array.IndexOf(model.Classes, RaphaelClass);
            probabilities = model.PredictProbabilities(patches).select(1, column).to_type(ScalarType.Float64).data<double>().ToArray();
        }
        double share = votes.Average();
        var (low, high) = bootstrap > 0 ? Interval(votes, bootstrap, seed) : ((double?)null, (double?)null);
        return new PaintingVote(target.Painting.Id, target.Painting.Label, share, probabilities?.Average(),
            share > threshold ? Painting.Raphael : Painting.NotRaphael, probabilities ?? votes, low, high, target.Painting.Truth);
    }

    /// <summary>The 2.5% and 97.5% quantiles of the vote share over patches resampled with replacement.</summary>
    public static (double? Low, double? High) Interval(double[] votes, int resamples, ulong seed)
    {
        var random = new Random((int)(seed & int.MaxValue));
        var shares = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            double sum = 0;
            for (int i = 0; i < votes.Length; i++) sum += votes[random.Next(votes.Length)];
            shares[b] = sum / votes.Length;
        }
        Array.Sort(shares);
        return (Quantile(shares, 0.025), Quantile(shares, 0.975));
    }

    /// <summary>Linear interpolation between order statistics (numpy's default).</summary>
    static double Quantile(double[] sorted, double q)
    {
        double at = q * (sorted.Length - 1);
        int below = (int)Math.Floor(at);
        int above = Math.Min(sorted.Length - 1, below + 1);
        return sorted[below] + (at - below) * (sorted[above] - sorted[below]);
    }

    static ulong SplitMix(ulong seed, int id) => Numerics.SplitMix64.Derive(seed, (ulong)id);

    /// <summary>Accuracy of the leave-one-out calls by majority vote, and by mean probability when the learner has one.</summary>
    public static (int Correct, int Total, int? CorrectByProbability) Accuracy(IReadOnlyList<PaintingVote> folds, double threshold) =>
        (folds.Count(v => v.Correct == true), folds.Count,
         folds.All(v => v.MeanProbability is not null)
             ? folds.Count(v => (v.MeanProbability > threshold ? Painting.Raphael : Painting.NotRaphael) == v.Label) : null);
}
