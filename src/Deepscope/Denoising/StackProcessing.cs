using System.Diagnostics;
using Deepscope.Numerics;

namespace Deepscope.Denoising;

/// <summary>Mean scores of a denoised stack against its reference, and the mean FRC curve.</summary>
public sealed record StackScores(double DataRange, double Mse, double Psnr, double Ssim, double[] Frc);

/// <summary>What <see cref="StackProcessing.Denoise"/> did.</summary>
public sealed record DenoiseSummary(int Images, int Height, int Width, double Seconds, double? Sigma, StackScores? Scores);

/// <summary>
/// The noise and denoise commands' work over whole files (stacks in batches, memory bounded by one batch), output in
/// the input's format and shape.
/// </summary>
public static class StackProcessing
{
    /// <summary>Images denoised per batch unless told: the memory held is this many images (and their outputs).</summary>
    public const int DenoiseBatch = 64;

    /// <summary>
    /// Adds noise image by image; image i draws from its own stream (seed, i). Integer images are scaled to [0, 1] first
    /// (scikit-image's img_as_float) and back after.
    /// </summary>
    public static int AddNoise(string input, string output, NoiseOptions options, long seed, int batch = 256, IProgressReporter? progress = null)
    {
        options.Validate();
        var reader = ImageStackReader.Open(input);
        double scale = double.IsNaN(reader.IntegerMax) ? 1 : reader.IntegerMax;
        using var writer = reader.CreateWriter(output);
        using var task = (progress ?? NoProgress.Instance).Start("images", reader.Count);
        int index = 0;
        foreach (var planes in reader.Batches(batch))
        {
            var noisy = planes.Select(p =>
            {
                int image = index++;
                float[] values;
                try { values = NoiseModels.Apply(p.Pixels.Select(v => (float)(v / scale)).ToArray(), options, new RandomStream((ulong)seed, (ulong)image)); }
                catch (DeepscopeException e) { throw new InvalidDataFileException(input, $"image {image}: {e.Message}"); }
                return p with { Pixels = values.Select(v => (float)(v * scale)).ToArray() };
            }).ToList();
            writer.Append(noisy);
            task.Advance(planes.Count);
        }
        writer.Complete();
        return index;
    }

    /// <summary>
    /// Denoises every image with <paramref name="denoiser"/> (sigma in the data's units, null to estimate); with a
    /// reference stack of the same shape, scores the results (data range: the integer format's maximum, else the
    /// reference's max - min, as scikit-image takes it from the true image).
    /// </summary>
    public static DenoiseSummary Denoise(string input, string output, IDenoiser denoiser, double? sigma, string? reference, int batch = DenoiseBatch, IProgressReporter? progress = null)
    {
        if (sigma is { } s && !(s >= 0)) throw new DeepscopeException($"the noise sigma must be >= 0, got {s}");
        var reader = ImageStackReader.Open(input);
        var referenceReader = reference == null ? null : ImageStackReader.Open(reference);
        if (referenceReader != null && (referenceReader.Count != reader.Count || referenceReader.Height != reader.Height || referenceReader.Width != reader.Width))
            throw new DeepscopeException($"{reference}: {referenceReader.Count} images of {referenceReader.Height}x{referenceReader.Width}, but {input} has {reader.Count} of {reader.Height}x{reader.Width}");
        using var references = referenceReader?.Batches(batch).GetEnumerator();
        using var writer = reader.CreateWriter(output);
        using var task = (progress ?? NoProgress.Instance).Start("images", reader.Count);
        var clock = Stopwatch.StartNew();
        var scores = new ScoreTotals();
        foreach (var planes in reader.Batches(batch))
        {
            IReadOnlyList<Plane> denoised;
            try { denoised = denoiser.Denoise(planes, sigma); }
            catch (DeepscopeException e) when (e is not InvalidDataFileException) { throw new InvalidDataFileException(input, e.Message); }
            writer.Append(denoised);
            if (references != null && references.MoveNext())
                for (int i = 0; i < planes.Count; i++)
                {
                    var clean = references.Current[i];
                    double range = double.IsNaN(referenceReader!.IntegerMax) ? clean.Pixels.Max() - clean.Pixels.Min() : referenceReader.IntegerMax;
                    scores.Add(range, ImageQuality.Scores(clean, denoised[i], range), ImageQuality.FourierRingCorrelation(clean, denoised[i]));
                }
            task.Advance(planes.Count);
        }
        writer.Complete();
        return new DenoiseSummary(reader.Count, reader.Height, reader.Width, clock.Elapsed.TotalSeconds, sigma, scores.Mean());
    }

    /// <summary>
    /// The range of a file's values for methods whose thresholds assume 0..255 images: the integer format's maximum,
    /// else the first image's max - min.
    /// </summary>
    public static double DataRange(string path)
    {
        var reader = ImageStackReader.Open(path);
        if (!double.IsNaN(reader.IntegerMax)) return reader.IntegerMax;
        var first = reader.Batches(1).First()[0];
        double range = first.Pixels.Max() - first.Pixels.Min();
        return range > 0 ? range : 1;
    }
}

/// <summary>Running sums of the per-image scores, so memory stays the same whatever the stack's length.</summary>
sealed class ScoreTotals
{
    double _range, _mse, _psnr, _ssim;
    double[] _frc = [];
    int _count;

    public void Add(double range, QualityScores scores, double[] frc)
    {
        if (_count++ == 0) _frc = new double[frc.Length];
        (_range, _mse, _psnr, _ssim) = (_range + range, _mse + scores.Mse, _psnr + scores.Psnr, _ssim + scores.Ssim);
        for (int r = 0; r < _frc.Length; r++) _frc[r] += frc[r];
    }

    /// <summary>The means over the images scored, null when none was.</summary>
    public StackScores? Mean() => _count == 0 ? null
        : new StackScores(_range / _count, _mse / _count, _psnr / _count, _ssim / _count, [.. _frc.Select(v => v / _count)]);
}
