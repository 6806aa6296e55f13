using static TorchSharp.torch;

namespace Deepscope.IO;

public static partial class Npy
{
    /// <summary>
    /// Streams a C-order <c>.npy</c> file in batches of at most <paramref name="rows"/> along its first dimension, so a
    /// file larger than memory can be processed; each yielded tensor belongs to the caller.
    /// </summary>
    public static IEnumerable<Tensor> ReadBatches(string path, long rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        using var stream = OpenRead(path);
        var header = ReadHeader(stream, path);
        if (header.Shape.Length == 0) throw new InvalidDataFileException(path, "a scalar .npy has no rows to stream");
        if (header.FortranOrder && header.Shape.Length > 1)
            throw new InvalidDataFileException(path, "Fortran-order arrays cannot be streamed by rows; save it in C order (numpy.ascontiguousarray)");
        long[] rowShape = header.Shape[1..];
        for (long start = 0; start < header.Shape[0]; start += rows)
        {
            var batch = empty([Math.Min(rows, header.Shape[0] - start), .. rowShape], header.Type);
            try
            {
                ReadInto(stream, batch, path);
                if (header.Swap) SwapBytesInPlace(batch);
            }
            catch
            {
                batch.Dispose();
                throw;
            }
            yield return batch;
        }
    }
}
