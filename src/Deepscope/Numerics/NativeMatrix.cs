using System.Numerics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Deepscope.Numerics;

/// <summary>
/// Direct read access to the rows of a CPU float32 contiguous matrix, for the learners whose inner loops are
/// scalar code (SMO kernel rows, tree growing). No copy: the pointer is into the tensor's own storage, which must
/// outlive this view.
/// </summary>
public readonly unsafe struct NativeMatrix
{
    readonly float* _data;
    public long Rows { get; }
    public int Columns { get; }

    public NativeMatrix(Tensor x)
    {
        if (x.dtype != ScalarType.Float32 || !x.is_contiguous() || x.dim() != 2 || x.device_type != TorchSharp.DeviceType.CPU)
            throw new ArgumentException("expected a contiguous CPU float32 matrix", nameof(x));
        Rows = x.shape[0];
        Columns = checked((int)x.shape[1]);
        fixed (byte* p = x.bytes) _data = (float*)p;
    }

    public float this[long row, int column] => _data[row * Columns + column];

    public ReadOnlySpan<float> Row(long row) => new(_data + row * Columns, Columns);

    /// <summary>Squared Euclidean norm of every row.</summary>
    public float[] SquaredNorms()
    {
        var norms = new float[Rows];
        var self = this;
        Parallel.For(0L, Rows, r => norms[r] = Dot(self.Row(r), self.Row(r)));
        return norms;
    }

    /// <summary>Dot product with explicit SIMD (AVX-512 where present).</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int i = 0, n = a.Length;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
            Vector<float> acc0 = Vector<float>.Zero, acc1 = Vector<float>.Zero;
            int v = 0;
            for (; v + 1 < va.Length; v += 2)
            {
                acc0 += va[v] * vb[v];
                acc1 += va[v + 1] * vb[v + 1];
            }
            if (v < va.Length) acc0 += va[v] * vb[v];
            sum = Vector.Sum(acc0 + acc1);
            i = va.Length * Vector<float>.Count;
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }
}
