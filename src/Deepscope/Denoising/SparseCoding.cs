namespace Deepscope.Denoising;

/// <summary>A patch's sparse code: atom indices and their coefficients.</summary>
sealed record SparseCode(int[] Atoms, float[] Values);

/// <summary>All overlapping side x side patches of an image (stride 1), as vectors read on demand.</summary>
sealed class PatchSet(Plane image, int side)
{
    public int Side { get; } = image.Height >= side && image.Width >= side ? side
        : throw new DeepscopeException($"image {image.Height}x{image.Width} is smaller than the {side}x{side} patches");
    readonly int _columns = image.Width - side + 1;
    public int Count { get; } = (image.Height - side + 1) * (image.Width - side + 1);

    public (int Row, int Column) Position(int index) => (index / _columns, index % _columns);

    public float[] Patch(int index)
    {
        var (row, column) = Position(index);
        var patch = new float[Side * Side];
        for (int y = 0; y < Side; y++) image.Pixels.AsSpan((row + y) * image.Width + column, Side).CopyTo(patch.AsSpan(y * Side));
        return patch;
    }
}

/// <summary>A dictionary of unit-norm atoms, stored atom by atom (atom a at [a * rows .. (a + 1) * rows)).</summary>
sealed class Dictionary
{
    readonly float[] _atoms;

    /// <summary>From a column-major matrix (rows x atoms, element [row * atoms + atom]).</summary>
    public Dictionary(float[] columnMajor, int rows, int atoms)
    {
        (Rows, Atoms) = (rows, atoms);
        _atoms = new float[rows * atoms];
        for (int r = 0; r < rows; r++)
            for (int a = 0; a < atoms; a++) _atoms[a * rows + r] = columnMajor[r * atoms + a];
    }

    public int Rows { get; }
    public int Atoms { get; }

    public Span<float> Atom(int a) => _atoms.AsSpan(a * Rows, Rows);

    public void SubtractAtom(int a, float coefficient, Span<float> target)
    {
        var atom = Atom(a);
        for (int j = 0; j < Rows; j++) target[j] -= coefficient * atom[j];
    }

    public float Dot(int a, ReadOnlySpan<float> vector)
    {
        var atom = Atom(a);
        float sum = 0;
        for (int j = 0; j < Rows; j++) sum += atom[j] * vector[j];
        return sum;
    }

    /// <summary>D' D (atoms x atoms).</summary>
    public float[] Gram()
    {
        var gram = new float[Atoms * Atoms];
        Parallel.For(0, Atoms, a =>
        {
            for (int b = 0; b < Atoms; b++) gram[a * Atoms + b] = Dot(b, Atom(a));
        });
        return gram;
    }
}

/// <summary>
/// Batch-OMP (Rubinstein, Zibulevsky and Elad 2008): greedy selection of the atom most correlated with the residual,
/// least squares on the chosen atoms by an incrementally grown Cholesky factor of their Gram matrix, until the
/// residual's squared norm is at most the bound (or as many atoms as the patch has pixels / 2).
/// </summary>
sealed class OrthogonalMatchingPursuit(int rows, int atoms)
{
    readonly float[] _projections = new float[atoms];
    readonly float[] _correlations = new float[atoms];
    readonly int _maxAtoms = Math.Max(1, rows / 2);
    readonly double[] _cholesky = new double[rows * rows];
    readonly double[] _solution = new double[rows];
    readonly double[] _work = new double[rows];
    readonly int[] _chosen = new int[rows];

    public SparseCode Code(Dictionary dictionary, float[] gram, ReadOnlySpan<float> patch, double bound)
    {
        double energy = 0;
        foreach (var v in patch) energy += v * v;
        if (energy <= bound) return new SparseCode([], []);
        for (int a = 0; a < atoms; a++) _projections[a] = _correlations[a] = dictionary.Dot(a, patch);
        int count = 0;
        double residual = energy;
        while (residual > bound && count < _maxAtoms)
        {
            int best = -1;
            float bestValue = 1e-12f;
            for (int a = 0; a < atoms; a++)
                if (MathF.Abs(_correlations[a]) > bestValue) (best, bestValue) = (a, MathF.Abs(_correlations[a]));
            if (best < 0 || !Extend(gram, best, count)) break;
            _chosen[count++] = best;
            Solve(count);
            // Residual correlations D'r = D'y - G_I x_I, and |r|^2 = |y|^2 - x_I . (D'y)_I for the least-squares x_I.
            Array.Copy(_projections, _correlations, atoms);
            residual = energy;
            for (int s = 0; s < count; s++)
            {
                int c = _chosen[s];
                double x = _solution[s];
                residual -= x * _projections[c];
                for (int a = 0; a < atoms; a++) _correlations[a] -= (float)(x * gram[c * atoms + a]);
            }
        }
        return new SparseCode(_chosen[..count], _solution[..count].Select(v => (float)v).ToArray());
    }

    // Adds atom 'atom' as row 'count' of the lower Cholesky factor L (L L' = G_II); false when it is (nearly) dependent.
    bool Extend(float[] gram, int atom, int count)
    {
        int n = _chosen.Length;
        for (int s = 0; s < count; s++)
        {
            double sum = gram[_chosen[s] * atoms + atom];
            for (int t = 0; t < s; t++) sum -= _cholesky[s * n + t] * _cholesky[count * n + t];
            _cholesky[count * n + s] = sum / _cholesky[s * n + s];
        }
        double diagonal = gram[atom * atoms + atom];
        for (int t = 0; t < count; t++) diagonal -= _cholesky[count * n + t] * _cholesky[count * n + t];
        if (diagonal <= 1e-10) return false;
        _cholesky[count * n + count] = Math.Sqrt(diagonal);
        return true;
    }

    // x = (L L')^-1 (D'y)_I by forward then back substitution.
    void Solve(int count)
    {
        int n = _chosen.Length;
        for (int s = 0; s < count; s++)
        {
            double sum = _projections[_chosen[s]];
            for (int t = 0; t < s; t++) sum -= _cholesky[s * n + t] * _work[t];
            _work[s] = sum / _cholesky[s * n + s];
        }
        for (int s = count - 1; s >= 0; s--)
        {
            double sum = _work[s];
            for (int t = s + 1; t < count; t++) sum -= _cholesky[t * n + s] * _solution[t];
            _solution[s] = sum / _cholesky[s * n + s];
        }
    }
}
