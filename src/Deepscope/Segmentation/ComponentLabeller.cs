namespace Deepscope.Segmentation;

/// <summary>A connected set of pixels of one class: inclusive pixel bounds and its pixel count.</summary>
public sealed record Component(int Class, int Left, int Top, int Right, int Bottom, long Area)
{
    /// <summary>The larger side of the bounding box, in pixels.</summary>
    public int Size => Math.Max(Right - Left + 1, Bottom - Top + 1);
}

/// <summary>
/// Connected components of a class mask fed one row at a time (8-connectivity, pixels of the same non-zero class),
/// so a mask of any height is labelled holding only two rows of runs, a union-find over run labels and each
/// label's running bounds. <see cref="AddRow"/> returns the row's runs with their labels; <see cref="Root"/> maps a
/// label to its component once all rows are in, which is how two masks' components are matched by overlap.
/// </summary>
public sealed class ComponentLabeller
{
    /// <summary>Pixels [X0, X1] of one class in one row, and the label they got.</summary>
    public readonly record struct Run(int X0, int X1, int Class, int Label);

    readonly List<int> _parent = [];
    readonly List<(int Class, int Left, int Top, int Right, int Bottom, long Area)> _stats = [];
    List<Run> _previous = [];
    int _row;

    public IReadOnlyList<Run> AddRow(ReadOnlySpan<long> classes)
    {
        var runs = new List<Run>();
        int p = 0;
        for (int x = 0; x < classes.Length;)
        {
            int c = (int)classes[x], start = x;
            while (x < classes.Length && classes[x] == c) x++;
            if (c == 0) continue;
            int label = -1;
            // Runs of the previous row touching [start - 1, x] (8-connectivity); p skips those wholly to the left.
            while (p < _previous.Count && _previous[p].X1 < start - 1) p++;
            for (int q = p; q < _previous.Count && _previous[q].X0 <= x; q++)
            {
                if (_previous[q].Class != c) continue;
                label = label < 0 ? Find(_previous[q].Label) : Union(label, _previous[q].Label);
            }
            if (label < 0)
            {
                label = _parent.Count;
                _parent.Add(label);
                _stats.Add((c, start, _row, x - 1, _row, 0));
            }
            var s = _stats[label];
            _stats[label] = (c, Math.Min(s.Left, start), s.Top, Math.Max(s.Right, x - 1), _row, s.Area + (x - start));
            runs.Add(new Run(start, x - 1, c, label));
        }
        _previous = runs;
        _row++;
        return runs;
    }

    /// <summary>The component a run label belongs to (an index into <see cref="Components"/>' labels).</summary>
    public int Root(int label) => Find(label);

    /// <summary>Every component, by its root label.</summary>
    public IReadOnlyDictionary<int, Component> Components()
    {
        var result = new Dictionary<int, Component>();
        for (int label = 0; label < _parent.Count; label++)
            if (Find(label) == label)
            {
                var s = _stats[label];
                result[label] = new Component(s.Class, s.Left, s.Top, s.Right, s.Bottom, s.Area);
            }
        return result;
    }

    int Find(int label)
    {
        while (_parent[label] != label) label = _parent[label] = _parent[_parent[label]];
        return label;
    }

    /// <summary>Joins two labels' components; the root kept holds the merged bounds and area.</summary>
    int Union(int a, int b)
    {
        (a, b) = (Find(a), Find(b));
        if (a == b) return a;
        if (b < a) (a, b) = (b, a);
        _parent[b] = a;
        var (x, y) = (_stats[a], _stats[b]);
        _stats[a] = (x.Class, Math.Min(x.Left, y.Left), Math.Min(x.Top, y.Top), Math.Max(x.Right, y.Right), Math.Max(x.Bottom, y.Bottom), x.Area + y.Area);
        return a;
    }
}
