using System.Numerics;
using System.Runtime.InteropServices;

namespace Deepscope.Features.Scattering.Simd;

/// <summary>
/// A batch of 2D planes (real, or split complex when <see cref="Im"/> is set) in a <see cref="Workspace"/>: the signal
/// of <see cref="SimdScatteringBackend"/>. <see cref="Count"/> planes belong to <see cref="Images"/> images, each image's
/// planes consecutive. Interleaved layout (transforms and filtering): row r of plane c starts at r * Pitch + c * Cols, so
/// a transform along the rows runs over whole pitches of Count * Cols floats (rounded up to the vector size). Stacked
/// layout (inputs and low-pass outputs, Pitch = Rows * Cols): plane c is the Rows x Cols block at c * Pitch. Which
/// layout a signal has follows from the primitive that made it.
/// </summary>
internal readonly unsafe struct Planes(float* re, float* im, int images, int count, int rows, int cols, int pitch)
{
    public float* Re { get; init; } = re;
    public float* Im { get; init; } = im;
    public int Images { get; } = images;
    public int Count { get; } = count;
    public int Rows { get; } = rows;
    public int Cols { get; } = cols;
    public int Pitch { get; } = pitch;

    public bool IsComplex => Im != null;

    /// <summary>A whole number of vectors holding <paramref name="floats"/>.</summary>
    public static int RoundToVectors(int floats) => (floats + Vector<float>.Count - 1) / Vector<float>.Count * Vector<float>.Count;

    /// <summary>
    /// New interleaved planes; the buffers can also hold the transposed layout (cols, count, rows), so the buffers of a
    /// transform's input and output can trade places.
    /// </summary>
    public static Planes Interleaved(Workspace workspace, int images, int count, int rows, int cols, bool complex)
    {
        int pitch = RoundToVectors(count * cols);
        long floats = Math.Max((long)rows * pitch, (long)cols * RoundToVectors(count * rows));
        return new(workspace.Allocate(floats), complex ? workspace.Allocate(floats) : null, images, count, rows, cols, pitch);
    }

    public static Planes StackedIn(Workspace workspace, int images, int count, int rows, int cols) =>
        new(workspace.Allocate((long)count * rows * cols), null, images, count, rows, cols, rows * cols);
}

/// <summary>
/// Scratch memory of one worker: a bump allocator over 64-byte aligned native blocks that <see cref="Reset"/> rewinds.
/// Blocks are never moved, so pointers stay valid until the next reset; a worker scattering the same shapes again
/// allocates nothing.
/// </summary>
internal sealed unsafe class Workspace : IDisposable
{
    const long BlockFloats = 1L << 20;
    const int Alignment = 64;
    readonly List<(IntPtr Start, long Floats)> _blocks = [];
    int _block;
    long _used;

    /// <summary>
    /// Room for <paramref name="floats"/> floats and one vector more: kernels may read, and write in increasing order,
    /// whole vectors that run past the end of a row.
    /// </summary>
    public float* Allocate(long floats)
    {
        floats = (floats + Vector<float>.Count + 15) & ~15L; // the spare vector, then 64-byte alignment
        while (_block < _blocks.Count && _used + floats > _blocks[_block].Floats) { _block++; _used = 0; }
        if (_block == _blocks.Count)
        {
            long size = Math.Max(BlockFloats, floats);
            var start = (IntPtr)NativeMemory.AlignedAlloc((nuint)(size * sizeof(float)), Alignment);
            // Zeroed once: padding lanes between pitches then hold finite values forever.
            NativeMemory.Clear((void*)start, (nuint)(size * sizeof(float)));
            _blocks.Add((start, size));
            _used = 0;
        }
        var pointer = (float*)_blocks[_block].Start + _used;
        _used += floats;
        return pointer;
    }

    public void Reset() => (_block, _used) = (0, 0);

    public void Dispose()
    {
        foreach (var (start, _) in _blocks) NativeMemory.AlignedFree((void*)start);
        _blocks.Clear();
    }
}
