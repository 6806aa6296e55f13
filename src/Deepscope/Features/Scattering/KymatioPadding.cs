namespace Deepscope.Features.Scattering;

/// <summary>
/// Kymatio's padding for the 2D scattering transform: each side grows to the next multiple of 2^J that leaves at least
/// 2^J more, by reflection (without repeating the edge), so the periodic convolutions see a mirrored border. The output
/// drops one coefficient per side at the coarsest scale.
/// </summary>
public static class KymatioPadding
{
    /// <summary>Kymatio's compute_padding: ((size + 2^J) / 2^J + 1) 2^J.</summary>
    public static int PaddedSize(int size, int j) => ((size + (1 << j)) / (1 << j) + 1) * (1 << j);

    /// <summary>
    /// For each padded index, the input index it copies. Top padding is (padded - size) / 2, the rest at the bottom.
    /// When the padding equals the size (size = 2^J), reflection cannot reach far enough: like Kymatio, the image is
    /// reflected by size - 1 and the outermost rows repeat their neighbours' sources.
    /// </summary>
    public static long[] SourceIndices(int size, int padded)
    {
        int before = (padded - size) / 2, after = padded - size - before;
        if (size < 2 || before > size) throw new DeepscopeException($"scattering: cannot reflect-pad {size} to {padded}");
        bool tooShort = before == size;
        if (tooShort) { before--; after--; }
        var indices = new List<long>(padded);
        for (int i = -before; i < size + after; i++) indices.Add(i < 0 ? -i : i >= size ? 2 * (size - 1) - i : i);
        if (tooShort) { indices.Insert(0, indices[1]); indices.Add(indices[^2]); }
        return [.. indices];
    }
}
