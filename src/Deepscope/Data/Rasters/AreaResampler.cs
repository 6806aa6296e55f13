namespace Deepscope.Data.Rasters;

/// <summary>
/// Resamples a stream of rows to another size by area averaging (each output pixel the mean of the input area it
/// covers, as OpenCV's INTER_AREA and PIL's box filter), holding only the output rows still being accumulated. Rows
/// go in top to bottom as planar (channels, width) spans; each finished output row is handed to the sink with its index.
/// </summary>
public sealed class AreaResampler
{
    readonly int _channels, _inWidth, _inHeight;
    readonly double _scaleY;
    readonly (int[] Start, float[][] Weights) _columns;
    readonly Action<int, float[]> _sink;
    readonly Queue<(int Row, float[] Sum)> _pending = new();
    readonly float[] _horizontal;
    int _inRow, _nextOut;

    public int OutHeight { get; }
    public int OutWidth { get; }

    public AreaResampler(int channels, int inHeight, int inWidth, int outHeight, int outWidth, Action<int, float[]> sink)
    {
        if (outHeight < 1 || outWidth < 1) throw new ArgumentOutOfRangeException(nameof(outHeight), $"output size {outWidth}x{outHeight}");
        (_channels, _inHeight, _inWidth, OutHeight, OutWidth, _sink) = (channels, inHeight, inWidth, outHeight, outWidth, sink);
        _scaleY = (double)outHeight / inHeight;
        _columns = Weights(inWidth, outWidth);
        _horizontal = new float[channels * outWidth];
    }

    /// <summary>Output size for a scale factor, at least one pixel.</summary>
    public static (int Height, int Width) Scaled(int height, int width, double scale) =>
        (Math.Max(1, (int)Math.Round(height * scale)), Math.Max(1, (int)Math.Round(width * scale)));

    /// <summary>Adds <paramref name="rows"/> input rows laid out (channels, rows, inWidth) in <paramref name="planar"/>.</summary>
    public void Push(float[] planar, int rows)
    {
        for (int y = 0; y < rows; y++) PushRow(planar, y, rows);
        if (_inRow == _inHeight) Flush();
    }

    void PushRow(float[] planar, int y, int rows)
    {
        var (start, weights) = _columns;
        for (int c = 0; c < _channels; c++)
        {
            int source = (c * rows + y) * _inWidth, target = c * OutWidth;
            for (int x = 0; x < OutWidth; x++)
            {
                var w = weights[x];
                int s = source + start[x];
                float sum = 0;
                for (int k = 0; k < w.Length; k++) sum += w[k] * planar[s + k];
                _horizontal[target + x] = sum;
            }
        }
        // The output rows this input row overlaps, each taking the overlap's share of its height.
        double top = _inRow * _scaleY, bottom = (_inRow + 1) * _scaleY;
        for (int o = (int)Math.Floor(top); o < Math.Min(OutHeight, Math.Ceiling(bottom)); o++)
        {
            double overlap = Math.Min(bottom, o + 1) - Math.Max(top, o);
            if (overlap <= 1e-12) continue;
            var sum = Accumulator(o);
            // In output units an output row is 1 high, so the overlap is the input row's share of it.
            float weight = (float)overlap;
            for (int i = 0; i < sum.Length; i++) sum[i] += weight * _horizontal[i];
        }
        _inRow++;
        // Output rows that end at or above this input row's bottom are complete.
        while (_pending.Count > 0 && (_pending.Peek().Row + 1) <= bottom + 1e-9) Emit();
    }

    float[] Accumulator(int row)
    {
        foreach (var (r, sum) in _pending)
            if (r == row) return sum;
        var fresh = new float[_channels * OutWidth];
        _pending.Enqueue((row, fresh));
        return fresh;
    }

    void Emit()
    {
        var (row, sum) = _pending.Dequeue();
        if (row != _nextOut) throw new InvalidOperationException($"resampler emitted row {row}, expected {_nextOut}");
        _nextOut++;
        _sink(row, sum);
    }

    void Flush()
    {
        while (_pending.Count > 0) Emit();
    }

    /// <summary>For each output column, the first input column it covers and the covered fractions (summing to 1).</summary>
    static (int[] Start, float[][] Weights) Weights(int inSize, int outSize)
    {
        double scale = (double)outSize / inSize;
        var start = new int[outSize];
        var weights = new float[outSize][];
        for (int o = 0; o < outSize; o++)
        {
            double left = o / scale, right = (o + 1) / scale;
            int first = (int)Math.Floor(left), last = Math.Min(inSize - 1, (int)Math.Ceiling(right) - 1);
            var w = new float[last - first + 1];
            for (int i = first; i <= last; i++) w[i - first] = (float)((Math.Min(right, i + 1) - Math.Max(left, i)) * scale);
            start[o] = first;
            weights[o] = w;
        }
        return (start, weights);
    }
}
