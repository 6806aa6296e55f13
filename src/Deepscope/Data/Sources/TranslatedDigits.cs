using static TorchSharp.torch;

namespace Deepscope.Data.Sources;

/// <summary>
/// Translated MNIST (Jaderberg et al. 2015, Spatial Transformer Networks): each digit of a base source pasted at a
/// uniformly random position on a blank <c>canvas x canvas</c> image. Example i shows base digit i mod base.Count; the
/// position comes from the example's seed. Fields: <c>input</c> (C, canvas, canvas) in the base images' dtype,
/// <c>label</c>, and <see cref="Position"/> (2) int64, the digit's top-left (row, column) on the canvas.
/// </summary>
public static class TranslatedDigits
{
    /// <summary>The field holding where the digit was placed.</summary>
    public const string Position = "position";

    public static GeneratedSource Create(IDataSource digits, ulong seed, int canvas = 60, long? count = null, bool freshEachEpoch = true)
    {
        var image = digits.Fields.FirstOrDefault(f => f.Name == Fields.Input)
            ?? throw new DeepscopeException($"translated digits need a base source with an '{Fields.Input}' field");
        if (image.Shape.Length != 3) throw new DeepscopeException($"translated digits need (C, H, W) images, got ({string.Join(", ", image.Shape)})");
        long channels = image.Shape[0], height = image.Shape[1], width = image.Shape[2];
        if (canvas < height || canvas < width)
            throw new DeepscopeException($"canvas {canvas} is smaller than the {height}x{width} digits");
        FieldSpec[] fields =
        [
            new(Fields.Input, image.DType, [channels, canvas, canvas]),
            new(Fields.Label, ScalarType.Int64, []),
            new(Position, ScalarType.Int64, [2]),
        ];
        long baseCount = digits.Count;
        return new GeneratedSource(count ?? baseCount, fields, example =>
        {
            var random = example.NewRandom();
            long row = random.Next(canvas - (int)height + 1), column = random.Next(canvas - (int)width + 1);
            using var digit = digits.Read([example.Index % baseCount], 0);
            var placed = zeros([channels, canvas, canvas], image.DType);
            placed.narrow(1, row, height).narrow(2, column, width).copy_(digit[Fields.Input][0]);
            return new Dictionary<string, Tensor>
            {
                [Fields.Input] = placed,
                [Fields.Label] = digit[Fields.Label][0].clone(),
                [Position] = tensor(new[] { row, column }),
            };
        }, seed, freshEachEpoch, digits.Classes);
    }
}
