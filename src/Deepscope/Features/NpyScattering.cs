using System.Diagnostics;
using Deepscope.IO;
using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Features;

/// <summary>What <see cref="NpyScattering.Scatter"/> did: shapes, image count and time.</summary>
public sealed record NpyScatteringResult(long[] InputShape, long[] OutputShape, long Images, double Seconds);

/// <summary>The scattering transform of an .npy array of images (..., H, W), streamed batch by batch from file to file.</summary>
public static class NpyScattering
{
    const long ImagesPerBatch = 512;

    /// <summary>
    /// Scatters every image of <paramref name="input"/> into <paramref name="output"/> (float32, shape (..., K, H/2^J,
    /// W/2^J)); batch by batch, so memory stays at a few batches.
    /// </summary>
    public static NpyScatteringResult Scatter(string input, string output, ScatteringSettings settings, IProgressReporter progress)
    {
        var (type, shape) = Npy.ReadShape(input);
        if (shape.Length < 2)
            throw new InvalidDataFileException(input, $"expected images of shape (..., H, W), got shape ({string.Join(", ", shape)})");
        if (type is not (ScalarType.Float32 or ScalarType.Float64))
            throw new InvalidDataFileException(input, $"expected float32 images, got {type}");
        using var scattering = new Scattering2D(settings.J, ((int)shape[^2], (int)shape[^1]), settings.L, settings.MaxOrder);
        long[] outputShape = scattering.OutputShape(shape);
        var clock = Stopwatch.StartNew();
        long images = shape[..^2].Aggregate(1L, (a, b) => a * b);
        if (shape.Length == 2)
        {
            using var image = Npy.Read(input);
            FloatMatrix.CheckFinite(image, input);
            using var coefficients = scattering.forward(image.to_type(ScalarType.Float32));
            Npy.Write(output, coefficients);
        }
        else
            Stream(input, output, scattering, shape, outputShape, progress);
        return new NpyScatteringResult(shape, outputShape, images, clock.Elapsed.TotalSeconds);
    }

    static void Stream(string input, string output, Scattering2D scattering, long[] shape, long[] outputShape, IProgressReporter progress)
    {
        long imagesPerRow = shape[1..^2].Aggregate(1L, (a, b) => a * b);
        long rows = Math.Max(1, ImagesPerBatch / Math.Max(1, imagesPerRow));
        using var task = progress.Start($"scattering {Path.GetFileName(input)}", shape[..^2].Aggregate(1L, (a, b) => a * b), "images");
        using var writer = new NpyStreamWriter(output, ScalarType.Float32, outputShape[1..]);
        long firstRow = 0;
        foreach (var batch in Npy.ReadBatches(input, rows))
        {
            Tensor coefficients;
            using (batch)
            using (NewDisposeScope())
            {
                FloatMatrix.CheckFinite(batch, input, firstRow);
                using (no_grad()) coefficients = scattering.forward(batch.to_type(ScalarType.Float32)).DetachFromDisposeScope();
            }
            long count = coefficients.shape[0];
            firstRow += count;
            using (coefficients) writer.Append(coefficients);
            task.Advance(count * imagesPerRow);
        }
        writer.Complete();
    }
}
