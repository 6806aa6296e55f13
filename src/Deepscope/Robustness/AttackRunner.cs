using System.Diagnostics;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Robustness;

/// <summary>
/// The outcome of an attack on a set of images: the adversarial images (N, C, H, W) in [0, 1], whether the model was
/// right on each clean and adversarial image, and each perturbation's L2 and L-inf norm.
/// </summary>
public sealed record AttackResult(Tensor Adversarial, bool[] CleanCorrect, bool[] AdversarialCorrect, float[] L2, float[] LInf, double Seconds) : IDisposable
{
    public int Count => CleanCorrect.Length;
    public double CleanAccuracy => CleanCorrect.Count(c => c) / (double)Count;
    public double RobustAccuracy => AdversarialCorrect.Count(c => c) / (double)Count;
    /// <summary>Among the examples classified correctly when clean, the fraction the attack made wrong (NaN when none).</summary>
    public double SuccessRate => Enumerable.Range(0, Count).Count(i => CleanCorrect[i]) is var correct and > 0
        ? Enumerable.Range(0, Count).Count(i => CleanCorrect[i] && !AdversarialCorrect[i]) / (double)correct : double.NaN;
    public double ExamplesPerSecond => Count / Math.Max(Seconds, 1e-9);
    /// <summary>Whether the attack made example i wrong (misclassified after the attack).</summary>
    public bool Fooled(int i) => !AdversarialCorrect[i];

    public void Dispose() => Adversarial.Dispose();
}

/// <summary>Runs an attack over a set of images batch by batch, the model in evaluation mode, sampling from one seeded generator.</summary>
public static class AttackRunner
{
    /// <summary>
    /// Attacks <paramref name="images"/> (float in [0, 1]) with labels <paramref name="labels"/> (int64). The same seed
    /// and batch size give the same adversarial images.
    /// </summary>
    public static AttackResult Run(nn.Module<Tensor, Tensor> model, IAttack attack, Tensor images, Tensor labels, long seed,
        int batchSize = 256, IProgressReporter? progress = null)
    {
        if (images.dim() != 4) throw new DeepscopeException($"attacks take image batches (N, C, H, W), got shape [{string.Join(", ", images.shape)}]");
        if (labels.shape[0] != images.shape[0]) throw new DeepscopeException($"{images.shape[0]} images but {labels.shape[0]} labels");
        if (batchSize < 1) throw new DeepscopeException($"batch size must be positive, got {batchSize}");
        using (no_grad())
        using (var lowest = images.min())
        using (var highest = images.max())
            if (lowest.item<float>() < 0 || highest.item<float>() > 1)
                throw new DeepscopeException("attacks work in pixel space: images must lie in [0, 1]");
        // Attacks live on input gradients, which oneDNN gets wrong for some layouts and channel counts (ConvolutionDispatch).
        Models.RoutedConv2d.RouteConvolutions(model);
        long n = images.shape[0];
        bool wasTraining = model.training;
        model.eval();
        using var random = new Generator(unchecked((ulong)seed));
        var adversarial = empty_like(images);
        var (clean, robust, l2, linf) = (new bool[n], new bool[n], new float[n], new float[n]);
        var clock = Stopwatch.StartNew();
        try
        {
            using var task = (progress ?? NoProgress.Instance).Start(attack.Name, n, "img");
            for (long start = 0; start < n; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long count = Math.Min(batchSize, n - start);
                var x = images.narrow(0, start, count);
                var y = labels.narrow(0, start, count);
                var attacked = attack.Perturb(model, x, y, random);
                using (no_grad())
                {
                    adversarial.narrow(0, start, count).copy_(attacked);
                    var delta = attacked - x;
                    Copy(model.forward(x).argmax(1).eq(y), clean, start);
                    Copy(model.forward(attacked).argmax(1).eq(y), robust, start);
                    AttackMath.L2Norms(delta).data<float>().CopyTo(l2.AsSpan((int)start, (int)count));
                    AttackMath.LInfNorms(delta).data<float>().CopyTo(linf.AsSpan((int)start, (int)count));
                }
                task.Advance(count);
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return new AttackResult(adversarial, clean, robust, l2, linf, clock.Elapsed.TotalSeconds);
    }

    static void Copy(Tensor flags, bool[] into, long start)
    {
        using var bytes = flags.to_type(ScalarType.Byte);
        var values = bytes.data<byte>().ToArray();
        for (int i = 0; i < values.Length; i++) into[start + i] = values[i] != 0;
    }
}
