using Deepscope.Numerics;
namespace Deepscope.Learners;

/// <summary>
/// Grows CART classification trees on one thread, reusing its buffers from tree to tree. Node splits: draw features
/// without replacement until <c>features</c> have been tried and at least one was not constant in the node (as
/// scikit-learn), sort the node's values of each, and take the threshold (midpoint between distinct values) that
/// minimises the weighted Gini impurity of the children.
/// </summary>
sealed class TreeGrower
{
    const float ConstantTolerance = 1e-7f;

    readonly NativeMatrix _x;
    readonly int[] _label;
    readonly int _classes, _features;
    readonly RandomForestOptions _options;
    readonly float[] _weight, _keys;
    readonly int[] _samples, _items, _pool;
    readonly double[] _total, _left;

    public TreeGrower(NativeMatrix x, int[] label, int classes, int features, RandomForestOptions options)
    {
        _x = x;
        _label = label;
        _classes = classes;
        _features = features;
        _options = options;
        _weight = new float[x.Rows];
        _samples = new int[x.Rows];
        _keys = new float[x.Rows];
        _items = new int[x.Rows];
        _pool = new int[x.Columns];
        _total = new double[classes];
        _left = new double[classes];
    }

    readonly record struct Pending(int Node, int Start, int End, int Depth);

    public DecisionTree Grow(Random random)
    {
        int n = (int)_x.Rows, count = 0;
        Array.Clear(_weight);
        if (_options.Bootstrap) for (int i = 0; i < n; i++) _weight[random.Next(n)]++;
        else Array.Fill(_weight, 1f);
        for (int i = 0; i < n; i++) if (_weight[i] > 0) _samples[count++] = i;
        for (int f = 0; f < _pool.Length; f++) _pool[f] = f;

        var feature = new List<int>();
        var threshold = new List<float>();
        var left = new List<int>();
        var right = new List<int>();
        var value = new List<float>();
        int NewNode()
        {
            feature.Add(-1); threshold.Add(0); left.Add(-1); right.Add(-1);
            for (int c = 0; c < _classes; c++) value.Add(0);
            return feature.Count - 1;
        }
        var stack = new Stack<Pending>();
        stack.Push(new Pending(NewNode(), 0, count, 0));
        while (stack.Count > 0)
        {
            var (node, start, end, depth) = stack.Pop();
            Array.Clear(_total);
            for (int p = start; p < end; p++) _total[_label[_samples[p]]] += _weight[_samples[p]];
            double weight = _total.Sum();
            for (int c = 0; c < _classes; c++) value[node * _classes + c] = (float)(_total[c] / weight);
            bool pure = _total.Count(t => t > 0) <= 1;
            if (pure || end - start < _options.MinSamplesSplit || end - start < 2 * _options.MinSamplesLeaf || depth == _options.MaxDepth) continue;
            if (!BestSplit(start, end, random, out int bestFeature, out float bestThreshold)) continue;

            // Partition the node's samples: x <= threshold first.
            int i = start, j = end - 1;
            while (i <= j)
            {
                if (_x[_samples[i], bestFeature] <= bestThreshold) i++;
                else
                {
                    (_samples[i], _samples[j]) = (_samples[j], _samples[i]);
                    j--;
                }
            }
            feature[node] = bestFeature;
            threshold[node] = bestThreshold;
            int l = NewNode(), r = NewNode();
            left[node] = l;
            right[node] = r;
            stack.Push(new Pending(r, i, end, depth + 1));
            stack.Push(new Pending(l, start, i, depth + 1));
        }
        return new DecisionTree([.. feature], [.. threshold], [.. left], [.. right], [.. value], _classes);
    }

    bool BestSplit(int start, int end, Random random, out int bestFeature, out float bestThreshold)
    {
        int length = end - start, remaining = _pool.Length, drawn = 0, informative = 0;
        double totalWeight = _total.Sum(), totalSquares = 0;
        foreach (var t in _total) totalSquares += t * t;
        double best = double.NegativeInfinity;
        bestFeature = -1;
        bestThreshold = 0;
        while (remaining > 0 && (drawn < _features || informative == 0))
        {
            int pick = random.Next(remaining);
            int f = _pool[pick];
            (_pool[pick], _pool[remaining - 1]) = (_pool[remaining - 1], _pool[pick]);
            remaining--;
            drawn++;

            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            for (int p = 0; p < length; p++)
            {
                int s = _samples[start + p];
                float v = _x[s, f];
                _keys[p] = v;
                _items[p] = s;
                if (v < min) min = v;
                if (v > max) max = v;
            }
            if (max <= min + ConstantTolerance) continue;
            informative++;
            Array.Sort(_keys, _items, 0, length);

            // Gini: maximise sum_c L_c^2 / W_L + sum_c R_c^2 / W_R, updated in O(1) per moved sample.
            Array.Clear(_left);
            double leftWeight = 0, leftSquares = 0, rightSquares = totalSquares;
            int leftCount = 0;
            for (int p = 0; p < length - 1; p++)
            {
                int s = _items[p], c = _label[s];
                double w = _weight[s], lc = _left[c], rc = _total[c] - lc;
                leftSquares += w * (2 * lc + w);
                rightSquares += w * (w - 2 * rc);
                _left[c] = lc + w;
                leftWeight += w;
                leftCount++;
                if (_keys[p + 1] <= _keys[p] + ConstantTolerance) continue;
                if (leftCount < _options.MinSamplesLeaf || length - leftCount < _options.MinSamplesLeaf) continue;
                double proxy = leftSquares / leftWeight + rightSquares / (totalWeight - leftWeight);
                if (proxy > best)
                {
                    best = proxy;
                    bestFeature = f;
                    float middle = _keys[p] / 2 + _keys[p + 1] / 2;
                    bestThreshold = middle >= _keys[p + 1] ? _keys[p] : middle;
                }
            }
        }
        return bestFeature >= 0;
    }
}
