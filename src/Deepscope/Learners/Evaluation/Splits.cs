namespace Deepscope.Learners.Evaluation;

/// <summary>One train/test partition: row indices, ascending.</summary>
public sealed record Fold(int[] Train, int[] Test);

/// <summary>A way of cutting labelled rows into train/test folds (scikit-learn's splitters).</summary>
public interface ISplitter
{
    /// <summary>Short description for reports (<c>stratified 5-fold</c>).</summary>
    string Name { get; }

    /// <param name="labels">Label of every row.</param>
    /// <param name="groups">Group of every row, for group-aware splitters (else ignored).</param>
    IEnumerable<Fold> Split(long[] labels, long[]? groups = null);
}

/// <summary>One random train/test split; <c>Stratified</c> keeps class proportions in both parts.</summary>
public sealed record TrainTestSplit(double TestFraction = 0.25, bool Stratified = true, int Seed = 0) : ISplitter
{
    public string Name => $"{(Stratified ? "stratified " : "")}train/test {1 - TestFraction:0.##}/{TestFraction:0.##}";

    public IEnumerable<Fold> Split(long[] labels, long[]? groups = null)
    {
        if (TestFraction is <= 0 or >= 1) throw new DeepscopeException($"test fraction must be in (0, 1); got {TestFraction}");
        var random = new Random(Seed);
        var strata = Stratified ? labels.Select((l, i) => (l, i)).GroupBy(p => p.l).OrderBy(g => g.Key).Select(g => g.Select(p => p.i).ToArray()).ToList()
                                : [Enumerable.Range(0, labels.Length).ToArray()];
        // ceil(N f) test rows in all (as scikit-learn); each stratum gets floor(N_c f), the rest go to the largest remainders.
        int wanted = (int)Math.Ceiling(labels.Length * TestFraction);
        var quota = strata.Select(s => (int)Math.Floor(s.Length * TestFraction)).ToArray();
        foreach (var s in Enumerable.Range(0, strata.Count).OrderByDescending(s => strata[s].Length * TestFraction - quota[s]).ThenBy(s => s).Take(wanted - quota.Sum()))
            quota[s]++;
        var test = new List<int>();
        for (int s = 0; s < strata.Count; s++)
        {
            random.Shuffle(strata[s]);
            test.AddRange(strata[s].Take(quota[s]));
        }
        if (test.Count == 0 || test.Count == labels.Length) throw new DeepscopeException($"a {TestFraction} test fraction of {labels.Length} rows leaves one side empty");
        yield return Folds.FromTest(labels.Length, test);
    }
}

/// <summary>K consecutive folds (after an optional seeded shuffle); the first N mod K folds hold one extra row.</summary>
public sealed record KFold(int K = 5, bool Shuffle = false, int Seed = 0) : ISplitter
{
    public string Name => $"{K}-fold";

    public IEnumerable<Fold> Split(long[] labels, long[]? groups = null)
    {
        Folds.CheckK(K, labels.Length);
        var order = Enumerable.Range(0, labels.Length).ToArray();
        if (Shuffle) new Random(Seed).Shuffle(order);
        int start = 0;
        for (int f = 0; f < K; f++)
        {
            int size = labels.Length / K + (f < labels.Length % K ? 1 : 0);
            yield return Folds.FromTest(labels.Length, order.AsSpan(start, size).ToArray());
            start += size;
        }
    }
}

/// <summary>
/// K folds with each class spread evenly: the rows of each class (in order, or shuffled with the seed) are dealt to
/// the folds in turn, so every fold's class counts differ by at most one from N_c / K.
/// </summary>
public sealed record StratifiedKFold(int K = 5, bool Shuffle = false, int Seed = 0) : ISplitter
{
    public string Name => $"stratified {K}-fold";

    public IEnumerable<Fold> Split(long[] labels, long[]? groups = null)
    {
        Folds.CheckK(K, labels.Length);
        var smallest = labels.GroupBy(l => l).MinBy(g => g.Count())!;
        if (smallest.Count() < K)
            throw new DeepscopeException($"stratified {K}-fold: class {smallest.Key} has only {smallest.Count()} samples, fewer than the {K} folds");
        var random = new Random(Seed);
        var tests = Enumerable.Range(0, K).Select(_ => new List<int>()).ToArray();
        int next = 0;
        foreach (var group in labels.Select((l, i) => (l, i)).GroupBy(p => p.l).OrderBy(g => g.Key))
        {
            var rows = group.Select(p => p.i).ToArray();
            if (Shuffle) random.Shuffle(rows);
            // Continue dealing where the previous class stopped so fold sizes also stay balanced.
            foreach (var row in rows) tests[next++ % K].Add(row);
        }
        foreach (var test in tests) yield return Folds.FromTest(labels.Length, test);
    }
}

/// <summary>Every row is the test set once (N folds).</summary>
public sealed record LeaveOneOut : ISplitter
{
    public string Name => "leave-one-out";

    public IEnumerable<Fold> Split(long[] labels, long[]? groups = null)
    {
        Folds.CheckK(2, labels.Length);
        for (int i = 0; i < labels.Length; i++) yield return Folds.FromTest(labels.Length, [i]);
    }
}

/// <summary>Every group (e.g. the painting a patch comes from) is the test set once, in ascending group order.</summary>
public sealed record LeaveOneGroupOut : ISplitter
{
    public string Name => "leave-one-group-out";

    public IEnumerable<Fold> Split(long[] labels, long[]? groups = null)
    {
        if (groups == null) throw new DeepscopeException("leave-one-group-out needs a group for every sample");
        if (groups.Length != labels.Length) throw new DeepscopeException($"{groups.Length} groups for {labels.Length} samples: they must match");
        var distinct = groups.Distinct().Order().ToArray();
        if (distinct.Length < 2) throw new DeepscopeException("leave-one-group-out needs at least two groups");
        foreach (var g in distinct)
            yield return Folds.FromTest(labels.Length, Enumerable.Range(0, labels.Length).Where(i => groups[i] == g).ToArray());
    }
}

static class Folds
{
    public static Fold FromTest(int rows, IEnumerable<int> testRows)
    {
        var inTest = new bool[rows];
        foreach (var i in testRows) inTest[i] = true;
        return new Fold(Enumerable.Range(0, rows).Where(i => !inTest[i]).ToArray(), Enumerable.Range(0, rows).Where(i => inTest[i]).ToArray());
    }

    public static void CheckK(int k, int rows)
    {
        if (k < 2) throw new DeepscopeException($"cross-validation needs at least 2 folds; got {k}");
        if (k > rows) throw new DeepscopeException($"{k} folds for {rows} samples: at most one fold per sample");
    }
}
