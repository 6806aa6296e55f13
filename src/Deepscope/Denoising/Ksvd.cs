using Deepscope.Catalogs;

namespace Deepscope.Denoising;

/// <summary>K-SVD denoising's parameters, Elad and Aharon's (IEEE TIP 15(12), 2006) for grey images.</summary>
public sealed record KsvdOptions
{
    [Param(Min = 2, Max = 32, Description = "patch side")]
    public int PatchSize { get; init; } = 8;
    [Param(Min = 1, Description = "dictionary atoms (the overcomplete DCT start has (2 patch_size)^2 = 256 for 8x8)")]
    public int Atoms { get; init; } = 256;
    [Param(Min = 0, Max = 100, Description = "K-SVD iterations (sparse coding + dictionary update)")]
    public int Iterations { get; init; } = 10;
    [Param("gain", Min = 0, Description = "OMP stops when the residual is below patch_size * gain * sigma (error bound 1.15 sigma per pixel)")]
    public double Gain { get; init; } = 1.15;
    [Param(Min = 0, Description = "weight of the noisy image in the final average is lambda / sigma")]
    public double Lambda { get; init; } = 30;
    [Param(Min = 1, Description = "most patches the dictionary is trained on (evenly spaced over the image's overlapping patches)")]
    public int TrainingPatches { get; init; } = 40000;
}

/// <summary>
/// K-SVD denoising (Elad and Aharon 2006): a dictionary learnt on the noisy image's own overlapping patches, starting
/// from the overcomplete 2D DCT; sparse codes by OMP (Batch-OMP with the Gram matrix) until the residual's norm is at
/// most sqrt(n) gain sigma; atom updates by the approximate rank-1 K-SVD step (Rubinstein, Zibulevsky and Elad 2008),
/// the constant atom kept, unused atoms replaced by the worst-coded patch; the image is the weighted average of the
/// noisy image (weight lambda / sigma) and every patch's sparse approximation.
/// </summary>
public sealed class Ksvd(KsvdOptions options) : IDenoiser
{
    public Plane Denoise(Plane noisy, double? sigma)
    {
        double noise = sigma ?? NoiseEstimation.Sigma(noisy);
        if (!(noise > 0)) return noisy.Copy();
        int n = options.PatchSize * options.PatchSize;
        var patches = new PatchSet(noisy, options.PatchSize);
        var dictionary = new Dictionary(OvercompleteDct(options.PatchSize, options.Atoms), n, options.Atoms);
        double bound = n * Math.Pow(options.Gain * noise, 2);
        int step = Math.Max(1, patches.Count / options.TrainingPatches);
        var training = Enumerable.Range(0, patches.Count).Where(i => i % step == 0).Take(options.TrainingPatches).ToArray();
        for (int iteration = 0; iteration < options.Iterations; iteration++)
        {
            var codes = SparseCodes(dictionary, patches, training, bound, dictionary.Gram());
            UpdateDictionary(dictionary, patches, training, codes);
        }
        return Aggregate(noisy, patches, dictionary, bound, options.Lambda / noise);
    }

    static SparseCode[] SparseCodes(Dictionary dictionary, PatchSet patches, int[] indices, double bound, float[] gram)
    {
        var codes = new SparseCode[indices.Length];
        Parallel.For(0, indices.Length, () => new OrthogonalMatchingPursuit(dictionary.Rows, dictionary.Atoms),
            (i, _, omp) => { codes[i] = omp.Code(dictionary, gram, patches.Patch(indices[i]), bound); return omp; }, _ => { });
        return codes;
    }

    void UpdateDictionary(Dictionary dictionary, PatchSet patches, int[] training, SparseCode[] codes)
    {
        int n = dictionary.Rows;
        // Residuals R_i = y_i - D x_i of the training patches, kept current as atoms change.
        var residuals = new float[training.Length * n];
        var users = Enumerable.Range(0, dictionary.Atoms).Select(_ => new List<(int Patch, int Slot)>()).ToArray();
        for (int i = 0; i < training.Length; i++)
        {
            var r = residuals.AsSpan(i * n, n);
            patches.Patch(training[i]).CopyTo(r);
            for (int s = 0; s < codes[i].Atoms.Length; s++)
            {
                dictionary.SubtractAtom(codes[i].Atoms[s], codes[i].Values[s], r);
                users[codes[i].Atoms[s]].Add((i, s));
            }
        }
        var update = new double[n];
        for (int k = 1; k < dictionary.Atoms; k++)
        {
            var atom = dictionary.Atom(k);
            if (users[k].Count == 0)
            {
                ReplaceUnused(dictionary, k, residuals, n);
                continue;
            }
            // d = (R g + d_k |g|^2) / norm, then x_i = (R_i + d_k g_i) . d: one power step of the rank-1 SVD of E = R + d_k g^T.
            Array.Clear(update);
            double g2 = 0;
            foreach (var (p, s) in users[k])
            {
                float g = codes[p].Values[s];
                g2 += g * g;
                for (int j = 0; j < n; j++) update[j] += residuals[p * n + j] * g;
            }
            double norm = 0;
            for (int j = 0; j < n; j++) { update[j] += atom[j] * g2; norm += update[j] * update[j]; }
            norm = Math.Sqrt(norm);
            if (norm < 1e-12) continue;
            var old = atom.ToArray();
            for (int j = 0; j < n; j++) atom[j] = (float)(update[j] / norm);
            foreach (var (p, s) in users[k])
            {
                float g = codes[p].Values[s];
                double x = 0;
                for (int j = 0; j < n; j++) x += (residuals[p * n + j] + old[j] * g) * atom[j];
                codes[p].Values[s] = (float)x;
                for (int j = 0; j < n; j++) residuals[p * n + j] += old[j] * g - atom[j] * (float)x;
            }
        }
    }

    static void ReplaceUnused(Dictionary dictionary, int k, float[] residuals, int n)
    {
        int worst = 0;
        double worstEnergy = -1;
        for (int i = 0; i < residuals.Length / n; i++)
        {
            double e = 0;
            for (int j = 0; j < n; j++) e += residuals[i * n + j] * residuals[i * n + j];
            if (e > worstEnergy) (worst, worstEnergy) = (i, e);
        }
        if (worstEnergy <= 0) return;
        var atom = dictionary.Atom(k);
        double norm = Math.Sqrt(worstEnergy);
        for (int j = 0; j < n; j++) atom[j] = (float)(residuals[worst * n + j] / norm);
    }

    /// <summary>
    /// Codes every patch and averages the approximations with the noisy image, a chunk of patches at a time: the codes
    /// of a whole large image (16 million patches for 4096x4096) would not fit in memory.
    /// </summary>
    static Plane Aggregate(Plane noisy, PatchSet patches, Dictionary dictionary, double bound, double lambda)
    {
        const int ChunkPatches = 1 << 16;
        int side = patches.Side, n = side * side;
        var numerator = noisy.Pixels.Select(v => lambda * v).ToArray();
        var denominator = Enumerable.Repeat(lambda, noisy.Pixels.Length).ToArray();
        var estimate = new float[n];
        var gram = dictionary.Gram();
        for (int start = 0; start < patches.Count; start += ChunkPatches)
        {
            var chunk = Enumerable.Range(start, Math.Min(ChunkPatches, patches.Count - start)).ToArray();
            AddApproximations(SparseCodes(dictionary, patches, chunk, bound, gram), chunk);
        }
        return noisy with { Pixels = numerator.Select((v, i) => (float)(v / denominator[i])).ToArray() };

        void AddApproximations(SparseCode[] codes, int[] chunk)
        {
            for (int i = 0; i < codes.Length; i++)
            {
                Array.Clear(estimate);
                for (int s = 0; s < codes[i].Atoms.Length; s++) dictionary.SubtractAtom(codes[i].Atoms[s], -codes[i].Values[s], estimate);
                var (row, column) = patches.Position(chunk[i]);
                for (int y = 0; y < side; y++)
                    for (int x = 0; x < side; x++)
                    {
                        int p = (row + y) * noisy.Width + column + x;
                        numerator[p] += estimate[y * side + x];
                        denominator[p] += 1;
                    }
            }
        }
    }

    /// <summary>
    /// The overcomplete separable DCT: 1D atoms cos(pi i k / m) over the patch's pixels i for m = sqrt(atoms) frequencies k,
    /// all but the constant one with their mean removed, normalised; 2D atoms their outer products (column-major: atom a
    /// at [pixel * atoms + a]).
    /// </summary>
    public static float[] OvercompleteDct(int side, int atoms)
    {
        int m = (int)Math.Ceiling(Math.Sqrt(atoms));
        var line = new double[side, m];
        for (int k = 0; k < m; k++)
        {
            double mean = 0, norm = 0;
            for (int i = 0; i < side; i++) { line[i, k] = Math.Cos(Math.PI * i * k / m); mean += line[i, k] / side; }
            for (int i = 0; i < side; i++) { if (k > 0) line[i, k] -= mean; norm += line[i, k] * line[i, k]; }
            for (int i = 0; i < side; i++) line[i, k] /= Math.Sqrt(norm);
        }
        var dictionary = new float[side * side * atoms];
        for (int a = 0; a < atoms; a++)
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                    dictionary[(y * side + x) * atoms + a] = (float)(line[y, a / m] * line[x, a % m]);
        return dictionary;
    }
}
