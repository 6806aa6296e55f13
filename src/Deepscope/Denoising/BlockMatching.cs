namespace Deepscope.Denoising;

/// <summary>Working arrays of one worker: the matched blocks and a group's coefficients.</summary>
sealed class GroupBuffers(int groupSize, int blockSize)
{
    public (int Row, int Column)[] Matches { get; } = new (int, int)[groupSize];
    public float[] Group { get; } = new float[groupSize * blockSize * blockSize];
    public float[] Oracle { get; } = new float[groupSize * blockSize * blockSize];
    public float[] Scratch { get; } = new float[Math.Max(groupSize, blockSize * blockSize)];
    public float[] Pixels { get; } = new float[blockSize * blockSize];
    public float[] Half { get; } = new float[blockSize * blockSize];
    public float[] Distances { get; } = new float[groupSize];
}

/// <summary>
/// Full-search block matching: the blocks of a window (side <c>window</c>, clipped to the image) around the reference
/// whose distance is at most <c>maxDistance</c>, the closest <c>groupSize</c> of them by distance (ties by scan order),
/// the reference first, their number cut to a power of 2.
/// </summary>
sealed class BlockMatcher(PatchTable table, int window, int groupSize, float maxDistance)
{
    readonly int _half = window / 2;

    /// <summary>Fills <c>buffers.Matches</c> and returns how many blocks the group holds.</summary>
    public int Match(int row, int column, GroupBuffers buffers)
    {
        var (matches, distances) = (buffers.Matches, buffers.Distances);
        matches[0] = (row, column);
        distances[0] = -1; // the reference always leads
        int found = 1;
        int top = Math.Max(0, row - _half), bottom = Math.Min(table.Rows - 1, row + _half);
        int left = Math.Max(0, column - _half), right = Math.Min(table.Columns - 1, column + _half);
        for (int r = top; r <= bottom; r++)
            for (int c = left; c <= right; c++)
            {
                if (r == row && c == column) continue;
                float d = table.Distance(row, column, r, c);
                if (d > maxDistance || (found == groupSize && d >= distances[found - 1])) continue;
                int at = found == groupSize ? found - 1 : found++;
                while (at > 1 && distances[at - 1] > d)
                {
                    distances[at] = distances[at - 1];
                    matches[at] = matches[at - 1];
                    at--;
                }
                distances[at] = d;
                matches[at] = (r, c);
            }
        int count = 1;
        while (count * 2 <= found) count *= 2;
        return count;
    }
}

/// <summary>
/// Weighted aggregation of block estimates: each block adds weight x window x value to a numerator and weight x window
/// to a denominator. Reference rows are split into a fixed number of bands, each with its own sums, added in band
/// order at the end: parallel and the same result whatever the thread count.
/// </summary>
sealed class Aggregation(int height, int width, int blockSize, float[] window)
{
    const int Bands = 8;
    Sink[] _sinks = [];

    public delegate void RowWork(int row, int columns, GroupBuffers buffers, Sink sink);

    public void Run(int rows, int step, Func<GroupBuffers> buffers, RowWork work)
    {
        var referenceRows = new List<int>();
        for (int r = 0; ; r = Math.Min(rows - 1, r + step))
        {
            referenceRows.Add(r);
            if (r == rows - 1) break;
        }
        int bands = Math.Min(Bands, referenceRows.Count);
        _sinks = new Sink[bands];
        int columns = width - blockSize + 1;
        Parallel.For(0, bands, band =>
        {
            var sink = _sinks[band] = new Sink(height, width, blockSize, window);
            var buffer = buffers();
            for (int i = band * referenceRows.Count / bands; i < (band + 1) * referenceRows.Count / bands; i++)
                work(referenceRows[i], columns, buffer, sink);
        });
    }

    /// <summary>The aggregated image; pixels no block covered keep <paramref name="fallback"/>'s value.</summary>
    public Plane Result(Plane fallback)
    {
        var numerator = new double[height * width];
        var denominator = new double[height * width];
        foreach (var sink in _sinks)
            for (int i = 0; i < numerator.Length; i++)
            {
                numerator[i] += sink.Numerator[i];
                denominator[i] += sink.Denominator[i];
            }
        var pixels = new float[height * width];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = denominator[i] > 0 ? (float)(numerator[i] / denominator[i]) : fallback.Pixels[i];
        return new Plane(height, width, pixels);
    }

    public sealed class Sink(int height, int width, int blockSize, float[] window)
    {
        public float[] Numerator { get; } = new float[height * width];
        public float[] Denominator { get; } = new float[height * width];

        /// <summary>Inverts each block's 2D transform (pixels = Tinv C Tinv') and adds it with <paramref name="weight"/>.</summary>
        public void AddGroup(GroupBuffers buffers, int count, float[] inverse, float weight)
        {
            int n = blockSize, area = n * n;
            var half = buffers.Half;
            var pixels = buffers.Pixels;
            for (int b = 0; b < count; b++)
            {
                var coefficients = buffers.Group.AsSpan(b * area, area);
                for (int i = 0; i < n; i++)
                    for (int k2 = 0; k2 < n; k2++)
                    {
                        float sum = 0;
                        for (int k1 = 0; k1 < n; k1++) sum += inverse[i * n + k1] * coefficients[k1 * n + k2];
                        half[i * n + k2] = sum;
                    }
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                    {
                        float sum = 0;
                        for (int k2 = 0; k2 < n; k2++) sum += half[i * n + k2] * inverse[j * n + k2];
                        pixels[i * n + j] = sum;
                    }
                var (row, column) = buffers.Matches[b];
                for (int i = 0; i < n; i++)
                {
                    int offset = (row + i) * width + column;
                    for (int j = 0; j < n; j++)
                    {
                        float w = weight * window[i * n + j];
                        Numerator[offset + j] += w * pixels[i * n + j];
                        Denominator[offset + j] += w;
                    }
                }
            }
        }
    }
}
