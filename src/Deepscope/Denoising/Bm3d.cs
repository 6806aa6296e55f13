using System.Numerics;

namespace Deepscope.Denoising;

/// <summary>
/// BM3D (Dabov, Foi, Katkovnik, Egiazarian, "Image denoising by sparse 3-D transform-domain collaborative filtering",
/// IEEE TIP 16(8), 2007), both stages: (1) block matching on the noisy image, hard thresholding of each group's 3D
/// spectrum (2D bior1.5 x 1D Haar), Kaiser-weighted aggregation with weights 1/(sigma^2 N_har) into the basic
/// estimate; (2) block matching on the basic estimate, empirical Wiener shrinkage of the noisy groups (2D DCT x 1D Haar)
/// with the basic estimate's spectrum as the oracle, weights 1/(sigma^2 ||W||^2). Groups hold a power-of-2 number of
/// blocks (the Haar transform's length), the reference block first.
/// </summary>
public sealed class Bm3d : IDenoiser
{
    public Bm3d(Bm3dOptions options)
    {
        if (!BitOperations.IsPow2(options.HardBlock))
            throw new DeepscopeException($"bm3d: n1 must be a power of 2 (the bior1.5 transform's length), got {options.HardBlock}");
        Options = options;
    }

    public Bm3dOptions Options { get; }

    public Plane Denoise(Plane noisy, double? sigma)
    {
        double noise = sigma ?? NoiseEstimation.Sigma(noisy);
        if (!(noise > 0)) return noisy.Copy();
        // Work in 0..255 units, where the published distance thresholds hold.
        double scale = 255 / Options.DataRange, sigma255 = noise * scale;
        var image = Scaled(noisy, scale);
        var profile = Options.ForSigma(sigma255);
        var basic = HardThresholdingStage(image, sigma255, profile);
        var final = WienerStage(image, basic, sigma255, profile);
        return Scaled(final, 1 / scale);
    }

    static Plane Scaled(Plane plane, double factor)
    {
        var pixels = new float[plane.Pixels.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)(plane.Pixels[i] * factor);
        return plane with { Pixels = pixels };
    }

    static Plane HardThresholdingStage(Plane noisy, double sigma, Bm3dOptions o)
    {
        var forward = BlockTransforms.Bior15(o.HardBlock);
        var table = new PatchTable(noisy, forward);
        var inverse = ToFloat(BlockTransforms.Inverse(forward));
        float threshold = (float)(o.HardThreshold * sigma);
        var matcher = new BlockMatcher(table, o.HardWindow, o.HardGroup, (float)(o.HardDistance * o.HardBlock * o.HardBlock));
        var aggregation = new Aggregation(noisy.Height, noisy.Width, o.HardBlock, BlockTransforms.Kaiser2D(o.HardBlock, o.HardBeta));
        aggregation.Run(table.Rows, o.HardStep, () => new GroupBuffers(o.HardGroup, o.HardBlock), (row, columns, buffers, sink) =>
        {
            for (int column = 0; ; )
            {
                int count = matcher.Match(row, column, buffers);
                var group = buffers.Group.AsSpan(0, count * table.Area);
                for (int b = 0; b < count; b++) table.Block(buffers.Matches[b].Row, buffers.Matches[b].Column).CopyTo(group[(b * table.Area)..]);
                int retained = 0;
                for (int k = 0; k < table.Area; k++)
                {
                    BlockTransforms.Haar(group, k, table.Area, count, buffers.Scratch);
                    for (int b = 0; b < count; b++)
                    {
                        ref float c = ref group[b * table.Area + k];
                        if (MathF.Abs(c) > threshold) retained++;
                        else c = 0;
                    }
                    BlockTransforms.InverseHaar(group, k, table.Area, count, buffers.Scratch);
                }
                float weight = (float)(1 / (sigma * sigma * Math.Max(retained, 1)));
                sink.AddGroup(buffers, count, inverse, weight);
                if (column == columns - 1) break;
                column = Math.Min(columns - 1, column + (retained < o.StepIncreaseBelow ? o.HardBlock - 1 : o.HardStep));
            }
        });
        return aggregation.Result(noisy);
    }

    static Plane WienerStage(Plane noisy, Plane basic, double sigma, Bm3dOptions o)
    {
        var forward = BlockTransforms.Dct(o.WienerBlock);
        var noisyTable = new PatchTable(noisy, forward);
        var basicTable = new PatchTable(basic, forward);
        var inverse = ToFloat(BlockTransforms.Inverse(forward));
        float variance = (float)(sigma * sigma);
        int area = noisyTable.Area;
        var matcher = new BlockMatcher(basicTable, o.WienerWindow, o.WienerGroup, (float)(o.WienerDistance * o.WienerBlock * o.WienerBlock));
        var aggregation = new Aggregation(noisy.Height, noisy.Width, o.WienerBlock, BlockTransforms.Kaiser2D(o.WienerBlock, o.WienerBeta));
        aggregation.Run(noisyTable.Rows, o.WienerStep, () => new GroupBuffers(o.WienerGroup, o.WienerBlock), (row, columns, buffers, sink) =>
        {
            for (int column = 0; ; column = Math.Min(columns - 1, column + o.WienerStep))
            {
                int count = matcher.Match(row, column, buffers);
                var group = buffers.Group.AsSpan(0, count * area);
                var oracle = buffers.Oracle.AsSpan(0, count * area);
                for (int b = 0; b < count; b++)
                {
                    var (r, c) = buffers.Matches[b];
                    noisyTable.Block(r, c).CopyTo(group[(b * area)..]);
                    basicTable.Block(r, c).CopyTo(oracle[(b * area)..]);
                }
                double energy = 0;
                for (int k = 0; k < area; k++)
                {
                    BlockTransforms.Haar(group, k, area, count, buffers.Scratch);
                    BlockTransforms.Haar(oracle, k, area, count, buffers.Scratch);
                    for (int b = 0; b < count; b++)
                    {
                        int i = b * area + k;
                        float power = oracle[i] * oracle[i];
                        float shrink = power / (power + variance);
                        group[i] *= shrink;
                        energy += shrink * shrink;
                    }
                    BlockTransforms.InverseHaar(group, k, area, count, buffers.Scratch);
                }
                sink.AddGroup(buffers, count, inverse, (float)(1 / (variance * Math.Max(energy, 1e-12))));
                if (column == columns - 1) break;
            }
        });
        return aggregation.Result(noisy);
    }

    static float[] ToFloat(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        var values = new float[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) values[i * n + j] = (float)matrix[i, j];
        return values;
    }
}
