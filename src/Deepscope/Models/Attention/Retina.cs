using static TorchSharp.torch;

namespace Deepscope.Models.Attention;

/// <summary>
/// The glimpse sensor of the recurrent attention model (Mnih et al. 2014): around a location it cuts
/// <see cref="Scales"/> square patches, the first <see cref="Patch"/> pixels wide and each next one
/// <see cref="ScaleFactor"/> times wider, and shrinks each to Patch x Patch by averaging, so the centre is seen sharp
/// and the surround coarse. The whole batch is cut in one gather per scale; pixels outside the image read as zero.
/// </summary>
/// <remarks>
/// Locations are (row, column) in [-1, 1]: -1 is the top (left) edge of the image, +1 the bottom (right) edge. A patch
/// of side S around pixel-space centre c = (l + 1) / 2 * H starts at floor(c - S / 2).
/// </remarks>
public sealed record Retina(int Patch, int Scales = 1, int ScaleFactor = 2)
{
    /// <summary>Side of patch <paramref name="scale"/> before shrinking, in image pixels.</summary>
    public int SideOf(int scale) => Patch * (int)Math.Pow(ScaleFactor, scale);

    /// <summary>Values per glimpse: channels x scales x patch x patch.</summary>
    public long Size(long channels) => channels * Scales * Patch * Patch;

    /// <summary>
    /// The glimpses of <paramref name="images"/> (N, C, H, W) at <paramref name="locations"/> (N, 2):
    /// (N, Scales, C, Patch, Patch). No gradient flows to the locations (they are sampled, not computed).
    /// </summary>
    public Tensor Sense(Tensor images, Tensor locations)
    {
        using var scope = NewDisposeScope();
        long n = images.shape[0], channels = images.shape[1], height = images.shape[2], width = images.shape[3];
        var centres = (locations.detach().to_type(ScalarType.Float32) + 1) / 2 * tensor(new float[] { height, width });
        var glimpses = new List<Tensor>(Scales);
        for (int scale = 0; scale < Scales; scale++)
        {
            int side = SideOf(scale);
            var start = (centres - side / 2.0).floor().to_type(ScalarType.Int64);
            var offsets = arange(side, dtype: ScalarType.Int64);
            var rows = start[.., 0].unsqueeze(1) + offsets;
            var columns = start[.., 1].unsqueeze(1) + offsets;
            // Gather at clamped indices, then zero what lies outside the image: the cost is the patches', not a
            // padded copy of the whole image per glimpse.
            var inside = (rows.ge(0) & rows.lt(height)).view(n, 1, side, 1) & (columns.ge(0) & columns.lt(width)).view(n, 1, 1, side);
            var band = images.gather(2, rows.clamp(0, height - 1).view(n, 1, side, 1).expand(n, channels, side, width));
            var patch = band.gather(3, columns.clamp(0, width - 1).view(n, 1, 1, side).expand(n, channels, side, side)) * inside;
            glimpses.Add(side == Patch ? patch : nn.functional.avg_pool2d(patch, side / Patch));
        }
        return stack(glimpses, 1).MoveToOuterDisposeScope();
    }
}
