namespace Deepscope.Features.Patches;

/// <summary>Square patches (count, channels, size, size) with their top-left corners and pixel variances, in reading order.</summary>
public sealed record PatchSet(float[] Pixels, int Channels, int Size, (int Top, int Left)[] Positions, double[] Variances)
{
    public int Count => Positions.Length;
}

/// <summary>
/// Cuts patches out of a stream of rows (planar (channels, width) rows, top to bottom) and keeps the
/// <see cref="PatchOptions.Keep"/> with the highest variance. A patch holds a buffer only from its first row until it
/// is complete and ranked, so memory is bounded by the kept patches plus one band of patches in progress, whatever
/// the painting's size.
/// </summary>
public sealed class PatchCollector
{
    readonly int _channels, _size, _width, _keep;
    readonly (int Top, int Left)[] _corners;
    readonly Dictionary<int, float[]> _open = new();
    readonly List<(int Index, double Variance, float[] Pixels)> _kept = new();
    int _nextToOpen;

    public PatchCollector(int channels, int height, int width, PatchOptions options, ulong seed)
    {
        if (height < options.Size || width < options.Size)
            throw new DeepscopeException($"a {width}x{height} image (at the common resolution) is smaller than one {options.Size}x{options.Size} patch");
        (_channels, _size, _width, _keep) = (channels, options.Size, width, options.Keep);
        _corners = Corners(height, width, options, seed);
    }

    /// <summary>
    /// Random corners (uniform, from the seed) or the grid's, sorted by row so patches open in reading order.
    /// </summary>
    public static (int Top, int Left)[] Corners(int height, int width, PatchOptions options, ulong seed)
    {
        int size = options.Size;
        IEnumerable<(int Top, int Left)> corners;
        if (options.Grid)
            corners = Enumerable.Range(0, height / size).SelectMany(r => Enumerable.Range(0, width / size).Select(c => (r * size, c * size)));
        else
        {
            var random = new Random((int)(seed & int.MaxValue));
            corners = Enumerable.Range(0, options.Count).Select(_ => (random.Next(height - size + 1), random.Next(width - size + 1))).ToList();
        }
        return corners.Select((c, i) => (c, i)).OrderBy(p => p.c.Item1).ThenBy(p => p.i).Select(p => p.c).ToArray();
    }

    /// <summary>Takes output row <paramref name="y"/> of the image, laid out (channels, width).</summary>
    public void Row(int y, float[] row)
    {
        while (_nextToOpen < _corners.Length && _corners[_nextToOpen].Top == y)
            _open[_nextToOpen++] = new float[_channels * _size * _size];
        List<int>? finished = null;
        foreach (var (index, pixels) in _open)
        {
            var (top, left) = _corners[index];
            int r = y - top;
            for (int c = 0; c < _channels; c++)
                Array.Copy(row, c * _width + left, pixels, (c * _size + r) * _size, _size);
            if (r == _size - 1) (finished ??= []).Add(index);
        }
        foreach (var index in finished ?? [])
        {
            var pixels = _open[index];
            _open.Remove(index);
            Rank(index, pixels);
        }
    }

    void Rank(int index, float[] pixels)
    {
        double mean = 0, square = 0;
        foreach (float v in pixels)
        {
            mean += v;
            square += (double)v * v;
        }
        mean /= pixels.Length;
        double variance = Math.Max(0, square / pixels.Length - mean * mean);
        _kept.Add((index, variance, pixels));
        if (_kept.Count <= _keep) return;
        // Drop the lowest variance; ties go to the later patch, so the result does not depend on arrival order.
        int worst = 0;
        for (int i = 1; i < _kept.Count; i++)
            if (_kept[i].Variance < _kept[worst].Variance || (_kept[i].Variance == _kept[worst].Variance && _kept[i].Index > _kept[worst].Index)) worst = i;
        _kept.RemoveAt(worst);
    }

    /// <summary>The kept patches in reading order (after the last row).</summary>
    public PatchSet Result()
    {
        if (_open.Count > 0) throw new InvalidOperationException($"{_open.Count} patches did not receive all their rows");
        var kept = _kept.OrderBy(k => k.Index).ToList();
        int length = _channels * _size * _size;
        var pixels = new float[kept.Count * length];
        for (int i = 0; i < kept.Count; i++) Array.Copy(kept[i].Pixels, 0, pixels, i * length, length);
        return new PatchSet(pixels, _channels, _size, kept.Select(k => _corners[k.Index]).ToArray(), kept.Select(k => k.Variance).ToArray());
    }
}
