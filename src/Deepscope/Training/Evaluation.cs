using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>Predictions of a classifier over a whole set, in evaluation mode and without gradients.</summary>
public static class Evaluation
{
    /// <summary>Predicted classes (N) int64 and the mean loss.</summary>
    public static (Tensor Predictions, double MeanLoss) Predict(nn.Module<Tensor, Tensor> model, Examples examples, InputTransform? transform,
        int batchSize = 512, LossFunction? loss = null, IProgressReporter? progress = null)
    {
        loss ??= Losses.CrossEntropy;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var task = (progress ?? NoProgress.Instance).Start("evaluate", examples.Count, "img");
            var predictions = empty(examples.Count, ScalarType.Int64);
            double lossSum = 0;
            for (long start = 0; start < examples.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long n = Math.Min(batchSize, examples.Count - start);
                var inputs = examples.Inputs.narrow(0, start, n);
                var output = model.forward(MemoryFormat.ChannelsLast(transform is null ? inputs : transform.Apply(inputs)));
                lossSum += loss(output, examples.Labels.narrow(0, start, n)).item<float>() * (double)n;
                predictions.narrow(0, start, n).copy_(output.argmax(1));
                task.Advance(n);
            }
            return (predictions, lossSum / examples.Count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
