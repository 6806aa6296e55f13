using static TorchSharp.torch;

namespace Deepscope.Tests.Embedding;

/// <summary>Small synthetic data sets with known structure.</summary>
static class EmbeddingTestData
{
    /// <summary>
    /// Swiss roll (scikit-learn's make_swiss_roll): t ~ 1.5π(1 + 2u), height ~ 21v; points (t cos t, height, t sin t).
    /// Returns the 3-D points and the intrinsic 2-D coordinates (arc length along the roll, height).
    /// </summary>
    public static (Tensor Points, Tensor Intrinsic) SwissRoll(int n, long seed)
    {
        var g = new Generator((ulong)seed);
        var t = 1.5 * Math.PI * (1 + 2 * rand([n], ScalarType.Float64, generator: g));
        var height = 21 * rand([n], ScalarType.Float64, generator: g);
        var points = stack([t * t.cos(), height, t * t.sin()], 1).to_type(ScalarType.Float32);
        // Arc length of the spiral r = t: ½(t√(1+t²) + asinh t).
        var arc = 0.5 * (t * (1 + t.pow(2)).sqrt() + t.asinh());
        return (points, stack([arc, height], 1).to_type(ScalarType.Float32));
    }

    /// <summary><paramref name="clusters"/> Gaussian blobs (σ = 1) in <paramref name="dims"/> dimensions, centres 20 apart on the axes.</summary>
    public static (Tensor Points, long[] Labels) Blobs(int perCluster, int clusters, int dims, long seed)
    {
        var g = new Generator((ulong)seed);
        var points = randn([perCluster * clusters, dims], ScalarType.Float32, generator: g);
        var labels = new long[perCluster * clusters];
        for (int c = 0; c < clusters; c++)
        {
            points[TensorIndex.Slice(c * perCluster, (c + 1) * perCluster), c % dims] += 20f * (1 + c / dims);
            for (int i = 0; i < perCluster; i++) labels[c * perCluster + i] = c;
        }
        return (points, labels);
    }

    /// <summary>Fraction of samples whose nearest neighbour in <paramref name="embedding"/> carries the same label.</summary>
    public static double NearestNeighborAgreement(float[,] embedding, long[] labels)
    {
        int n = embedding.GetLength(0), agree = 0;
        for (int i = 0; i < n; i++)
        {
            int best = -1;
            double bestDistance = double.MaxValue;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double d = 0;
                for (int c = 0; c < embedding.GetLength(1); c++) d += Math.Pow(embedding[i, c] - embedding[j, c], 2);
                if (d < bestDistance) (bestDistance, best) = (d, j);
            }
            if (labels[best] == labels[i]) agree++;
        }
        return (double)agree / n;
    }

    public static Tensor AsTensor(float[,] points)
    {
        var flat = new float[points.Length];
        Buffer.BlockCopy(points, 0, flat, 0, flat.Length * sizeof(float));
        return tensor(flat, [points.GetLength(0), points.GetLength(1)]);
    }
}
