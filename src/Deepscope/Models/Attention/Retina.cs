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
        int pad = SideOf(Scales - 1);
        var padded = nn.functional.pad(images.contiguous(), [pad, pad, pad, pad]);
        long paddedWidth = width + 2 * pad;
        var centres = (locations.detach().to_type(ScalarType.Float32) + 1) / 2 * tensor(new float[] { height, width });
        var glimpses = new List<Tensor>(Scales);
        for (int scale = 0; scale < Scales; scale++)
        {
            int side = SideOf(scale);
            var start = (centres - side / 2.0).floor().to_type(ScalarType.Int64) + pad;
            var offsets = arange(side, dtype: ScalarType.Int64);
            var rows = start[.., 0].unsqueeze(1) + offsets;
            var columns = start[.., 1].unsqueeze(1) + offsets;
            // Clamp only keeps a location far outside the image inside the padded frame; within the frame it is a no-op.
            rows = rows.clamp(0, height + 2 * pad - 1);
            columns = columns.clamp(0, paddedWidth - 1);
            var band = padded.gather(2, rows.view(n, 1, side, 1).expand(n, channels, side, paddedWidth));
            var patch = band.gather(3, columns.view(n, 1, 1, side).expand(n, channels, side, side));
            glimpses.Add(side == Patch ? patch : nn.functional.avg_pool2d(patch, side / Patch));
        }
        return stack(glimpses, 1).MoveToOuterDisposeScope();
    }
}
