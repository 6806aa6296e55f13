using static TorchSharp.torch;

namespace Deepscope.Models.Attention;

/// <summary>
/// The glimpse sensor of the recurrent attention model (Mnih et al. 2014): around a location it cuts
/// <see cref="Scales"/> square patches, the first <see cref="Patch"/> pixels wide and each next one
/// <see cref="ScaleFactor"/> times wider, and shrinks each to Patch x Patch by averaging, so the centre is seen sharp
/// and the surround coarse; pixels outside the image read as zero.
/// </summary>
/// <remarks>
/// Locations are (row, column) in [-1, 1]: -1 is the top (left) edge of the image, +1 the bottom (right) edge. A patch
/// of side S around pixel-space centre c = (l + 1) / 2 * H starts at floor(c - S / 2).
/// <para>Each averaged pixel is a box sum read from the images' summed-area tables at its four corners, so a glimpse
/// reads (Patch + 1)^2 values per scale whatever the patch's width, where cutting the 48-pixel patch of a 60x60 glimpse
/// and averaging it read 2,304 (and dominated the training step). The tables are float64, so the differences of large
/// sums keep float32's precision; clamping the corners to the image makes what lies outside count as zero.</para>
/// <para>On the CPU, for images that need no gradient, <see cref="RetinaKernels"/> does both steps in plain loops with
/// identical results; the tensor operations below serve every other case (a GPU, gradients to the images).</para>
/// </remarks>
public sealed record Retina(int Patch, int Scales = 1, int ScaleFactor = 2)
{
    /// <summary>Side of patch <paramref name="scale"/> before shrinking, in image pixels.</summary>
    public int SideOf(int scale) => Patch * (int)Math.Pow(ScaleFactor, scale);

    /// <summary>Values per glimpse: channels x scales x patch x patch.</summary>
    public long Size(long channels) => channels * Scales * Patch * Patch;

    /// <summary>
    /// Images (N, C, H, W) made ready for any number of glimpses: their summed-area tables, (N, C, H + 1, W + 1) float64
    /// with a zero first row and column, so that entry (y, x) is the sum of the pixels above and left of it.
    /// </summary>
    public static SummedImages Prepare(Tensor images) =>
        new(RetinaKernels.Applies(images)
            ? RetinaKernels.SummedAreaTables(images)
            : nn.functional.pad(images.to_type(ScalarType.Float64).cumsum(2).cumsum(3), [1, 0, 1, 0]), images.dtype);

    /// <summary>
    /// The glimpses of <paramref name="images"/> (N, C, H, W) at <paramref name="locations"/> (N, 2):
    /// (N, Scales, C, Patch, Patch). No gradient flows to the locations (they are sampled, not computed).
    /// </summary>
    public Tensor Sense(Tensor images, Tensor locations)
    {
        using var prepared = Prepare(images);
        return Sense(prepared, locations);
    }

    /// <summary>The glimpses at <paramref name="locations"/> of images made ready by <see cref="Prepare"/>.</summary>
    public Tensor Sense(SummedImages images, Tensor locations)
    {
        if (RetinaKernels.Applies(images))
            return RetinaKernels.Glimpses(this, images.Table, locations);
        using var scope = NewDisposeScope();
        var table = images.Table;
        long n = table.shape[0], channels = table.shape[1], height = table.shape[2] - 1, width = table.shape[3] - 1;
        var centres = (locations.detach().to_type(ScalarType.Float32) + 1) / 2 * tensor(new float[] { height, width });
        // Per scale: half the patch's side, the block corners' offsets from the patch's start, and a block's area.
        var halfSides = new float[Scales];
        var cornerOffsets = new long[Scales * (Patch + 1)];
        var blockAreas = new double[Scales];
        for (int scale = 0; scale < Scales; scale++)
        {
            int side = SideOf(scale), block = side / Patch;
            halfSides[scale] = side / 2f;
            blockAreas[scale] = block * block;
            for (int corner = 0; corner <= Patch; corner++) cornerOffsets[scale * (Patch + 1) + corner] = (long)corner * block;
        }
        var start = (centres.unsqueeze(1) - tensor(halfSides).view(1, Scales, 1)).floor().to_type(ScalarType.Int64); // (N, Scales, 2)
        var offsets = tensor(cornerOffsets).view(1, Scales, Patch + 1);
        var rows = (start.select(2, 0).unsqueeze(2) + offsets).clamp(0, height);
        var columns = (start.select(2, 1).unsqueeze(2) + offsets).clamp(0, width);
        // The table at every block corner of every scale, one gather: (N, C, Scales, Patch + 1, Patch + 1).
        var index = (rows.unsqueeze(3) * (width + 1) + columns.unsqueeze(2)).view(n, 1, -1).expand(n, channels, -1);
        var at = table.view(n, channels, -1).gather(2, index).view(n, channels, Scales, Patch + 1, Patch + 1);
        var rowSums = at.narrow(3, 1, Patch) - at.narrow(3, 0, Patch); // each block row's sums up to every corner column
        var sums = rowSums.narrow(4, 1, Patch) - rowSums.narrow(4, 0, Patch);
        var averages = sums / tensor(blockAreas).view(1, 1, Scales, 1, 1);
        return averages.transpose(1, 2).to_type(images.ImageType).contiguous().MoveToOuterDisposeScope();
    }
}

/// <summary>Images as the <see cref="Retina"/> reads them: summed-area tables, and the images' own element type.</summary>
public sealed record SummedImages(Tensor Table, ScalarType ImageType) : IDisposable
{
    public void Dispose() => Table.Dispose();
}
