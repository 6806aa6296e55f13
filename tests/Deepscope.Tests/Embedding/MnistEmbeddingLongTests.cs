using System.Diagnostics;
using Deepscope.Data;
using Deepscope.Embedding;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Embedding;

/// <summary>Paper-scale runs on real MNIST (minutes): <c>--filter Category=Long</c>.</summary>
[Trait(Category.Name, Category.Long)]
public class MnistEmbeddingLongTests(ITestOutputHelper output)
{
    [Fact]
    public void Tsne_of_all_70000_mnist_images_in_bounded_memory()
    {
        var store = new DatasetStore(SharedData.Require("mnist"), allowDownload: false);
        using var train = store.Load("mnist", Split.Train);
        using var test = store.Load("mnist", Split.Test);
        using var x = cat([train.ToFloat().reshape(train.Count, -1), test.ToFloat().reshape(test.Count, -1)]);
        var labels = cat([train.Labels, test.Labels]).data<long>().ToArray();
        var clock = Stopwatch.StartNew();
        var result = new TsneOptions().Embed(x);
        clock.Stop();
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        using var e = result.ToTensor();
        var quality = EmbeddingQuality.Measure(x, e, 10, maxQueries: 2000);
        output.WriteLine($"t-SNE of 70,000 MNIST: {clock.Elapsed.TotalSeconds:F0} s, KL {result.Diagnostics["kl_divergence"]:F3}, {quality}, peak working set {peak >> 20} MiB");
        Assert.True(quality.Trustworthiness > 0.95, quality.ToString());
        Assert.True(peak < 8L << 30, $"peak working set {peak >> 20} MiB");
        // Digits form their own clusters: the nearest embedded neighbour mostly shares the label (1-NN on a sample).
        int agree = 0;
        var rng = new Random(0);
        for (int s = 0; s < 500; s++)
        {
            int i = rng.Next(labels.Length);
            int best = -1;
            double bestDistance = double.MaxValue;
            for (int j = 0; j < labels.Length; j++)
            {
                if (j == i) continue;
                double d = Math.Pow(result.Points[i, 0] - result.Points[j, 0], 2) + Math.Pow(result.Points[i, 1] - result.Points[j, 1], 2);
                if (d < bestDistance) (bestDistance, best) = (d, j);
            }
            if (labels[best] == labels[i]) agree++;
        }
        Assert.True(agree / 500.0 > 0.9, $"1-NN agreement {agree / 500.0}");
    }
}
