namespace Deepscope.Embedding;

/// <summary>t-SNE's repulsive forces: Σⱼ q²ᵢⱼ(yᵢ - yⱼ) per point (unnormalised) and Z = Σ_{i≠j} qᵢⱼ, for 2-D embeddings of n points.</summary>
interface IRepulsion
{
    /// <summary>Writes the forces of <paramref name="y"/> (n×2, row-major) into <paramref name="repulsion"/> and returns Z.</summary>
    double Compute(double[] y, int n, double[] repulsion);
}
