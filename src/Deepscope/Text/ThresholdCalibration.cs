using Deepscope.Training.Metrics;

namespace Deepscope.Text;

/// <summary>Per-class offsets added to log-probabilities before the argmax: the decision thresholds under a prior shift.</summary>
public static class ThresholdCalibration
{
    /// <summary>Offsets (classes) for <paramref name="calibration"/>, from dev log-probabilities and labels and the training labels.</summary>
    public static double[] Fit(Calibration calibration, float[,] devLogProbabilities, IReadOnlyList<long> devLabels, IReadOnlyList<long> trainLabels)
    {
        int k = devLogProbabilities.GetLength(1);
        return calibration switch
        {
            Calibration.None => new double[k],
            Calibration.Prior => [.. Enumerable.Range(0, k).Select(c => Math.Log(Prior(devLabels, c, k) / Prior(trainLabels, c, k)))],
            Calibration.Tuned => Tune(devLogProbabilities, devLabels),
            _ => throw new ArgumentOutOfRangeException(nameof(calibration)),
        };
    }

    /// <summary>Class frequency with add-one smoothing, so a class absent from a set keeps a finite log.</summary>
    static double Prior(IReadOnlyList<long> labels, int c, int k) => (labels.Count(l => l == c) + 1.0) / (labels.Count + k);

    public static long[] Predict(float[,] logProbabilities, IReadOnlyList<double> offsets)
    {
        int n = logProbabilities.GetLength(0), k = logProbabilities.GetLength(1);
        var predicted = new long[n];
        for (int i = 0; i < n; i++)
        {
            double best = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
                if (logProbabilities[i, c] + offsets[c] > best) (best, predicted[i]) = (logProbabilities[i, c] + offsets[c], c);
        }
        return predicted;
    }

    public static F1Scores Score(IReadOnlyList<long> truth, IReadOnlyList<long> predicted) =>
        F1Scores.From(ClassCounts.Of(truth, predicted, EmoContextFile.Classes.Count), EmoContextFile.OthersClass);

    /// <summary>
    /// Coordinate search of the emotion classes' offsets (others stays 0) over -5..5 in steps of 0.05, three sweeps,
    /// keeping a change only when it raises the official micro-F1 (so ties keep the smaller shift).
    /// </summary>
    static double[] Tune(float[,] logProbabilities, IReadOnlyList<long> labels)
    {
        int k = logProbabilities.GetLength(1);
        var offsets = new double[k];
        double best = Score(labels, Predict(logProbabilities, offsets)).MicroF1;
        for (int sweep = 0; sweep < 3; sweep++)
            for (int c = 0; c < k; c++)
            {
                if (c == EmoContextFile.OthersClass) continue;
                double kept = offsets[c];
                for (int step = -100; step <= 100; step++)
                {
                    offsets[c] = step * 0.05;
                    double f1 = Score(labels, Predict(logProbabilities, offsets)).MicroF1;
                    if (f1 > best + 1e-12) (best, kept) = (f1, offsets[c]);
                }
                offsets[c] = kept;
            }
        return offsets;
    }
}
