namespace Deepscope.Data.Generators;

/// <summary>
/// How one hand hatches, in millimetres and degrees: the stroke statistics that tell "artists" apart (orientation,
/// length, curvature, tremor, spacing between parallel strokes, cross-hatching), not brightness or format.
/// </summary>
public sealed record HatchingStyle(string Hand, double OrientationDegrees, double OrientationSpread, double LengthMm,
    double Curvature, double TremorMm, double SpacingMm, double CrossHatching, double WidthMm)
{
    /// <summary>The same hand on another day: every statistic moved by up to <paramref name="fraction"/>.</summary>
    public HatchingStyle Jittered(Random random, double fraction)
    {
        double J(double v) => v * (1 + fraction * (2 * random.NextDouble() - 1));
        return this with
        {
            OrientationDegrees = OrientationDegrees + fraction * 20 * (2 * random.NextDouble() - 1),
            LengthMm = J(LengthMm), Curvature = J(Curvature), TremorMm = J(TremorMm), SpacingMm = J(SpacingMm),
            CrossHatching = Math.Clamp(J(CrossHatching), 0, 1), WidthMm = J(WidthMm),
        };
    }
}

/// <summary>
/// Draws a drawing into an ink-density buffer: groups of roughly parallel strokes (hatching), optionally crossed by a
/// second set, each stroke a curved, trembling line deposited as a Gaussian profile with tapered pressure.
/// </summary>
public sealed class HatchingRenderer(int height, int width, double pixelsPerMm)
{
    /// <summary>Ink per pixel (0: paper); the colour is 1 - exp(-ink) of the ink's colour over the paper.</summary>
    public float[] Ink { get; } = new float[height * width];

    /// <summary>Fills about <paramref name="coverage"/> of the sheet with hatching groups of <paramref name="style"/>.</summary>
    public void Draw(HatchingStyle style, double coverage, double pressure, Random random)
    {
        double sheetMm2 = height * width / (pixelsPerMm * pixelsPerMm);
        int strokesPerGroup = 6 + random.Next(8);
        double groupMm2 = style.LengthMm * style.SpacingMm * strokesPerGroup;
        int groups = (int)Math.Ceiling(coverage * sheetMm2 / groupMm2);
        for (int g = 0; g < groups; g++)
        {
            double cx = random.NextDouble() * width, cy = random.NextDouble() * height;
            double angle = (style.OrientationDegrees + style.OrientationSpread * Gaussian(random)) * Math.PI / 180;
            HatchGroup(style, cx, cy, angle, strokesPerGroup, pressure, random);
            if (random.NextDouble() < style.CrossHatching)
                HatchGroup(style, cx, cy, angle + (70 + 30 * random.NextDouble()) * Math.PI / 180, strokesPerGroup, pressure, random);
        }
    }

    void HatchGroup(HatchingStyle style, double cx, double cy, double angle, int strokes, double pressure, Random random)
    {
        // Strokes run along `angle` and are stacked across it, spacing apart, starting a little unevenly.
        double nx = -Math.Sin(angle), ny = Math.Cos(angle);
        double bend = style.Curvature * (random.NextDouble() < 0.5 ? -1 : 1);
        for (int s = 0; s < strokes; s++)
        {
            double offset = (s - strokes / 2.0) * style.SpacingMm * (0.85 + 0.3 * random.NextDouble()) * pixelsPerMm;
            double length = style.LengthMm * (0.7 + 0.6 * random.NextDouble());
            double along = (random.NextDouble() - 0.5) * 0.2 * length * pixelsPerMm;
            double x = cx + nx * offset + Math.Cos(angle) * along - Math.Cos(angle) * length * pixelsPerMm / 2;
            double y = cy + ny * offset + Math.Sin(angle) * along - Math.Sin(angle) * length * pixelsPerMm / 2;
            Stroke(x, y, angle, length, bend, style, pressure * (0.8 + 0.4 * random.NextDouble()), random);
        }
    }

    void Stroke(double x, double y, double angle, double lengthMm, double bendPerMm, HatchingStyle style, double pressure, Random random)
    {
        const double StepPx = 0.5;
        double sigma = Math.Max(0.35, style.WidthMm * pixelsPerMm / 2);
        int radius = (int)Math.Ceiling(2.5 * sigma);
        double tremorPx = style.TremorMm * pixelsPerMm;
        // The tremor is a sum of two wobbles of 0.6-2 cycles per mm with random phases: smooth, not pixel noise.
        double f1 = 0.6 + random.NextDouble(), f2 = 1.2 + random.NextDouble(), p1 = random.NextDouble() * 6.3, p2 = random.NextDouble() * 6.3;
        int steps = (int)(lengthMm * pixelsPerMm / StepPx);
        double heading = angle;
        for (int i = 0; i <= steps; i++)
        {
            double t = (double)i / steps, mm = i * StepPx / pixelsPerMm;
            double wobble = tremorPx * (Math.Sin(2 * Math.PI * f1 * mm + p1) + 0.6 * Math.Sin(2 * Math.PI * f2 * mm + p2));
            double px = x - Math.Sin(heading) * wobble, py = y + Math.Cos(heading) * wobble;
            Deposit(px, py, sigma, radius, pressure * Math.Sin(Math.PI * Math.Clamp(0.1 + 0.8 * t, 0, 1)) * StepPx);
            heading += bendPerMm * StepPx / pixelsPerMm;
            x += Math.Cos(heading) * StepPx;
            y += Math.Sin(heading) * StepPx;
        }
    }

    void Deposit(double px, double py, double sigma, int radius, double amount)
    {
        int x0 = (int)px, y0 = (int)py;
        if (x0 + radius < 0 || y0 + radius < 0 || x0 - radius >= width || y0 - radius >= height) return;
        double inv = 1 / (2 * sigma * sigma), scale = amount / (2 * Math.PI * sigma * sigma);
        for (int y = Math.Max(0, y0 - radius); y <= Math.Min(height - 1, y0 + radius); y++)
        {
            double dy = y + 0.5 - py;
            for (int x = Math.Max(0, x0 - radius); x <= Math.Min(width - 1, x0 + radius); x++)
            {
                double dx = x + 0.5 - px;
                Ink[y * width + x] += (float)(scale * Math.Exp(-(dx * dx + dy * dy) * inv));
            }
        }
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
