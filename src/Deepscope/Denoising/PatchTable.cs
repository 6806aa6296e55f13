using System.Numerics;
using System.Runtime.InteropServices;

namespace Deepscope.Denoising;

/// <summary>
/// The 2D transform T X T' of every n x n block of an image (block at row r, column c stored at (r * Columns + c) * n * n),
/// so block matching and grouping read coefficients instead of recomputing them: the table BM3D's reference
/// implementations precompute.
/// </summary>
sealed class PatchTable
{
    public int BlockSize { get; }
    public int Rows { get; }
    public int Columns { get; }
    public float[] Coefficients { get; }
    public int Area => BlockSize * BlockSize;

    public PatchTable(Plane image, double[,] transform)
    {
        int n = transform.GetLength(0);
        (BlockSize, Rows, Columns) = (n, image.Height - n + 1, image.Width - n + 1);
        if (Rows < 1 || Columns < 1) throw new DeepscopeException($"image {image.Height}x{image.Width} is smaller than the {n}x{n} blocks");
        Coefficients = new float[(long)Rows * Columns * n * n is var total && total < int.MaxValue ? (int)total
            : throw new DeepscopeException($"image {image.Height}x{image.Width} is too large for one block table")];
        var t = new float[n * n];
        for (int k = 0; k < n; k++)
            for (int i = 0; i < n; i++) t[k * n + i] = (float)transform[k, i];
        int width = image.Width, columns = Columns;
        // Horizontal pass for every image row and block column, then the vertical pass per block: 2n products per coefficient.
        var horizontal = new float[image.Height * columns * n];
        Parallel.For(0, image.Height, y =>
        {
            for (int c = 0; c < columns; c++)
                for (int k = 0; k < n; k++)
                {
                    float sum = 0;
                    for (int i = 0; i < n; i++) sum += t[k * n + i] * image.Pixels[y * width + c + i];
                    horizontal[(y * columns + c) * n + k] = sum;
                }
        });
        Parallel.For(0, Rows, r =>
        {
            for (int c = 0; c < columns; c++)
            {
                int block = (r * columns + c) * n * n;
                for (int k1 = 0; k1 < n; k1++)
                    for (int k2 = 0; k2 < n; k2++)
                    {
                        float sum = 0;
                        for (int j = 0; j < n; j++) sum += t[k1 * n + j] * horizontal[((r + j) * columns + c) * n + k2];
                        Coefficients[block + k1 * n + k2] = sum;
                    }
            }
        });
    }

    public ReadOnlySpan<float> Block(int row, int column) => Coefficients.AsSpan((row * Columns + column) * Area, Area);

    /// <summary>Squared Euclidean distance between two blocks' coefficients.</summary>
    public float Distance(int rowA, int columnA, int rowB, int columnB)
    {
        var a = MemoryMarshal.Cast<float, Vector<float>>(Block(rowA, columnA));
        var b = MemoryMarshal.Cast<float, Vector<float>>(Block(rowB, columnB));
        var sum = Vector<float>.Zero;
        for (int i = 0; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            sum += d * d;
        }
        float total = Vector.Sum(sum);
        for (int i = a.Length * Vector<float>.Count; i < Area; i++)
        {
            float d = Block(rowA, columnA)[i] - Block(rowB, columnB)[i];
            total += d * d;
        }
        return total;
    }
}
