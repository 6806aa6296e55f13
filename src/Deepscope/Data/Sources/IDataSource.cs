namespace Deepscope.Data.Sources;

/// <summary>The shape and dtype of one field of a source's examples, without the batch dimension.</summary>
public sealed record FieldSpec(string Name, TorchSharp.torch.ScalarType DType, long[] Shape);

/// <summary>
/// Random-access examples: <see cref="Read"/> gives any rows as one <see cref="Batch"/>. In-memory tensors, image folders
/// read lazily, tiles of huge images and examples generated from a seed all take this shape, so one loader shuffles
/// and batches them all. <see cref="Read"/> must be a pure function of the indices and the current epoch (no hidden
/// random state), which is what makes a resumed run replay exactly.
/// </summary>
public interface IDataSource
{
    /// <summary>Examples per epoch.</summary>
    long Count { get; }

    /// <summary>The fields every batch holds.</summary>
    IReadOnlyList<FieldSpec> Fields { get; }

    /// <summary>Class names when the source has class labels (index = label), else empty.</summary>
    IReadOnlyList<string> Classes { get; }

    /// <summary>The examples at <paramref name="indices"/> (each in 0..Count-1), in that order, as a batch the caller owns.</summary>
    Batch Read(ReadOnlySpan<long> indices, int epoch);
}
