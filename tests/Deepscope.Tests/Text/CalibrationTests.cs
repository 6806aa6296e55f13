using Deepscope.Text;

namespace Deepscope.Tests.Text;

public class CalibrationTests
{
    [Fact]
    public void PriorOffsetsAreTheLogRatioOfSmoothedPriors()
    {
        var logProbabilities = new float[4, 4];
        long[] dev = [0, 0, 0, 1];           // smoothed: (4/8, 2/8, 1/8, 1/8)
        long[] train = [0, 1, 2, 3];          // smoothed: 2/8 each
        var offsets = ThresholdCalibration.Fit(Calibration.Prior, logProbabilities, dev, train);
        Assert.Equal([Math.Log(2), 0, Math.Log(0.5), Math.Log(0.5)], offsets, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void TunedOffsetsNeverScoreBelowTheArgmaxAndFixAShiftedPrior()
    {
        // A model trained on a balanced prior overcalls 'happy' on a dev set that is mostly 'others':
        // every dialogue scores happy 0.6 against others 0.4, but only the first of five is happy.
        int n = 50;
        var logProbabilities = new float[n, 4];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            bool happy = i % 5 == 0;
            labels[i] = happy ? 1 : 0;
            (logProbabilities[i, 0], logProbabilities[i, 1]) = happy ? (MathF.Log(0.3f), MathF.Log(0.7f)) : (MathF.Log(0.4f), MathF.Log(0.6f));
            logProbabilities[i, 2] = logProbabilities[i, 3] = -20;
        }
        double raw = ThresholdCalibration.Score(labels, ThresholdCalibration.Predict(logProbabilities, new double[4])).MicroF1;
        var offsets = ThresholdCalibration.Fit(Calibration.Tuned, logProbabilities, labels, labels);
        double tuned = ThresholdCalibration.Score(labels, ThresholdCalibration.Predict(logProbabilities, offsets)).MicroF1;
        Assert.Equal(2 * 0.2 / 1.2, raw, 6);
        Assert.Equal(1.0, tuned, 12);
        Assert.Equal(0, offsets[0]);
    }
}
