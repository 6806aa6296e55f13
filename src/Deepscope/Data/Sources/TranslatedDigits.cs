using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// Translated and cluttered MNIST (Mnih et al. 2014; Jaderberg et al. 2015): each digit of a base source placed at a
/// uniformly random position on a blank <c>canvas x canvas</c> image, optionally over <c>distractors</c> pieces of
/// clutter, as DeepMind's mnist-cluttered generator makes them: each a <c>distractorSize</c> square crop at a uniform
/// position of a digit drawn uniformly (with replacement) from the same source, added at a uniform position; the
/// canvas is clipped after the clutter, then the target digit is added and the canvas clipped again.
/// Example i shows base digit i mod base.Count; everything else comes from the example's seed.
/// Fields: <c>input</c> (C, canvas, canvas) uint8 (sums saturate at 255, which is clipping at 1 in [0, 1] units),
/// <c>label</c>, and <see cref="Position"/> (2) int64, the digit's top-left (row, column) on the canvas.
/// </summary>
public static class TranslatedDigits
{
    /// <summary>The field holding where the digit was placed.</summary>
    public const string Position = "position";

    public static GeneratedSource Create(IDataSource digits, ulong seed, int canvas = 60, long? count = null, bool freshEachEpoch = true,
        int distractors = 0, int distractorSize = 8)
    {
        var image = digits.Fields.FirstOrDefault(f => f.Name == Fields.Input)
            ?? throw new DeepscopeException($"translated digits need a base source with an '{Fields.Input}' field");
        if (image.Shape.Length != 3) throw new DeepscopeException($"translated digits need (C, H, W) images, got ({string.Join(", ", image.Shape)})");
        if (image.DType != ScalarType.Byte) throw new DeepscopeException($"translated digits need uint8 images, got {image.DType}");
        int channels = (int)image.Shape[0], height = (int)image.Shape[1], width = (int)image.Shape[2];
        if (canvas < height || canvas < width)
            throw new DeepscopeException($"canvas {canvas} is smaller than the {height}x{width} digits");
        if (distractors < 0) throw new DeepscopeException($"distractors must be 0 or more, got {distractors}");
        if (distractorSize < 1 || distractorSize > Math.Min(height, width) || distractorSize > canvas)
            throw new DeepscopeException($"distractor size {distractorSize} must be between 1 and the digits' side {Math.Min(height, width)}");
        FieldSpec[] fields =
        [
            new(Fields.Input, ScalarType.Byte, [channels, canvas, canvas]),
            new(Fields.Label, ScalarType.Int64, []),
            new(Position, ScalarType.Int64, [2]),
        ];
        long baseCount = digits.Count;
        int digitSize = channels * height * width;
        // The base digits are read once into managed memory: an example is then made without a torch call (per-example
        // reads made generation, not the model, the bottleneck of training).
        var pixels = new Lazy<(byte[] Pixels, long[] Labels)>(() => ReadAll(digits, digitSize));
        return new GeneratedSource(count ?? baseCount, fields, (example, slots) =>
        {
            var random = example.NewRandom();
            var (all, labels) = pixels.Value;
            long target = example.Index % baseCount;
            var plane = slots.Field<byte>(Fields.Input);
            plane.Clear();
            for (int d = 0; d < distractors; d++)
            {
                long source = random.NextInt64(baseCount);
                int sourceRow = random.Next(height - distractorSize + 1), sourceColumn = random.Next(width - distractorSize + 1);
                int row = random.Next(canvas - distractorSize + 1), column = random.Next(canvas - distractorSize + 1);
                Add(plane, all.AsSpan((int)(source * digitSize), digitSize), sourceRow, sourceColumn, distractorSize, distractorSize, row, column);
            }
            int targetRow = random.Next(canvas - height + 1), targetColumn = random.Next(canvas - width + 1);
            Add(plane, all.AsSpan((int)(target * digitSize), digitSize), 0, 0, height, width, targetRow, targetColumn);
            slots.Field<long>(Fields.Label)[0] = labels[target];
            var position = slots.Field<long>(Position);
            position[0] = targetRow;
            position[1] = targetColumn;

            // Adds a crop of one digit onto the canvas, saturating at 255 (DeepMind's clip to 1).
            void Add(Span<byte> target, ReadOnlySpan<byte> digit, int fromRow, int fromColumn, int rowsToCopy, int columnsToCopy, int toRow, int toColumn)
            {
                for (int c = 0; c < channels; c++)
                    for (int r = 0; r < rowsToCopy; r++)
                        for (int k = 0; k < columnsToCopy; k++)
                        {
                            ref byte value = ref target[(c * canvas + toRow + r) * canvas + toColumn + k];
                            value = (byte)Math.Min(255, value + digit[(c * height + fromRow + r) * width + fromColumn + k]);
                        }
            }
        }, seed, freshEachEpoch, digits.Classes);
    }

    static (byte[] Pixels, long[] Labels) ReadAll(IDataSource digits, int digitSize)
    {
        var pixels = new byte[checked(digits.Count * digitSize)];
        var labels = new long[digits.Count];
        for (long start = 0; start < digits.Count; start += 4096)
        {
            long n = Math.Min(4096, digits.Count - start);
            using var batch = digits.Read([.. Enumerable.Range(0, (int)n).Select(i => start + i)], 0);
            batch[Fields.Input].contiguous().data<byte>().CopyTo(pixels.AsSpan((int)(start * digitSize), (int)(n * digitSize)));
            batch[Fields.Label].to_type(ScalarType.Int64).data<long>().CopyTo(labels.AsSpan((int)start, (int)n));
        }
        return (pixels, labels);
    }
}
