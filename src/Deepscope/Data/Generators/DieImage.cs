namespace Deepscope.Data.Generators;

/// <summary>The defects a synthetic die image can carry.</summary>
public enum DieDefect { None, Scratch, Particle, ChippedEdge, MissingLead }

/// <summary>
/// Renders one grey image of a small semiconductor package seen from above: a dark moulded body with a pin-1 mark and
/// three metal leads on each long side, on a darker background, placed, rotated and lit differently each time, with
/// sensor noise. Defects are drawn with random size and contrast, from obvious to barely above the noise, so no single
/// pixel statistic separates good from bad. Every random choice comes from the <see cref="Random"/> passed in.
/// </summary>
public static class DieImage
{
    const int LeadsPerSide = 3;

    sealed record Scene(double CenterX, double CenterY, double Cos, double Sin, double HalfWidth, double HalfHeight,
        double LeadHalfWidth, double LeadLength, double Background, double Body, double Lead, double Mark);

    /// <summary>A size x size image, row-major bytes, with the given defects drawn.</summary>
    public static byte[] Render(int size, IReadOnlyList<DieDefect> defects, Random random)
    {
        double scale = size / 224.0;
        double angle = U(random, -4, 4) * Math.PI / 180;
        var scene = new Scene(
            size / 2.0 + U(random, -12, 12) * scale, size / 2.0 + U(random, -12, 12) * scale, Math.Cos(angle), Math.Sin(angle),
            U(random, 50, 58) * scale, U(random, 30, 37) * scale, U(random, 4.5, 6) * scale, U(random, 14, 20) * scale,
            U(random, 0.08, 0.16), U(random, 0.22, 0.32), U(random, 0.68, 0.85), U(random, 0.05, 0.09));
        var drawn = defects.Select(d => Defect.Draw(d, scene, scale, random)).ToList();

        double gain = U(random, 0.8, 1.2), slope = U(random, -0.25, 0.25), direction = U(random, 0, 2 * Math.PI);
        double noise = U(random, 0.01, 0.035);
        var texture = Enumerable.Range(0, 3).Select(_ => (Fx: U(random, 0.02, 0.12), Fy: U(random, 0.02, 0.12), Phase: U(random, 0, 6.3), Amplitude: U(random, 0.004, 0.012))).ToArray();
        var leadLengths = new double[2, LeadsPerSide];
        for (int side = 0; side < 2; side++)
            for (int k = 0; k < LeadsPerSide; k++)
                leadLengths[side, k] = drawn.Aggregate(scene.LeadLength, (l, d) => d.LeadLength(2 * side - 1, k, l));
        var pixels = new byte[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                // Package coordinates: u along the body's long side, v across it (leads at v = +-HalfHeight).
                double dx = x + 0.5 - scene.CenterX, dy = y + 0.5 - scene.CenterY;
                double u = scene.Cos * dx + scene.Sin * dy, v = -scene.Sin * dx + scene.Cos * dy;
                double value = scene.Background;
                for (int side = -1; side <= 1; side += 2)
                    for (int k = 0; k < LeadsPerSide; k++)
                    {
                        double length = leadLengths[(side + 1) / 2, k];
                        if (length <= 0) continue;
                        double leadU = -scene.HalfWidth + (k + 0.5) * 2 * scene.HalfWidth / LeadsPerSide;
                        double leadV = side * (scene.HalfHeight + length / 2 - 1);
                        double cover = Coverage(Box(u - leadU, v - leadV, scene.LeadHalfWidth, length / 2 + 1));
                        // Metal is brighter towards its tip, as under a ring light.
                        double shade = scene.Lead * (0.9 + 0.1 * Math.Clamp((Math.Abs(v) - scene.HalfHeight) / length, 0, 1));
                        value += cover * (shade - value);
                    }
                double body = Coverage(Box(u, v, scene.HalfWidth, scene.HalfHeight));
                foreach (var d in drawn) body *= d.BodyKept(u, v);
                double bodyValue = scene.Body + scene.Mark * Coverage(Math.Sqrt(Sq(u + scene.HalfWidth - 11 * scale) + Sq(v + scene.HalfHeight - 10 * scale)) - 4 * scale);
                foreach (var t in texture) bodyValue += t.Amplitude * Math.Sin(t.Fx * u + t.Fy * v + t.Phase);
                value += body * (bodyValue - value);
                foreach (var d in drawn) value += d.Added(u, v, body);
                double light = gain * (1 + slope * ((x - size / 2.0) * Math.Cos(direction) + (y - size / 2.0) * Math.Sin(direction)) / size);
                value = value * light + noise * Gaussian(random);
                pixels[y * size + x] = (byte)Math.Clamp(Math.Round(value * 255), 0, 255);
            }
        return pixels;
    }

    /// <summary>One drawn defect: what it adds to the intensity, how much of the body it leaves, how it changes a lead.</summary>
    sealed class Defect
    {
        public Func<double, double, double, double> Added { get; private init; } = (_, _, _) => 0;
        public Func<double, double, double> BodyKept { get; private init; } = (_, _) => 1;
        public Func<int, int, double, double> LeadLength { get; private init; } = (_, _, l) => l;

        public static Defect Draw(DieDefect kind, Scene s, double scale, Random random)
        {
            switch (kind)
            {
                case DieDefect.Scratch:
                {
                    // A thin line on the body, brighter or darker, contrast from faint to plain.
                    double length = U(random, 15, 70) * scale, width = U(random, 0.7, 2.2) * scale;
                    double contrast = Sign(random, 0.75) * U(random, 0.05, 0.25), direction = U(random, 0, Math.PI);
                    double cu = U(random, -0.7, 0.7) * s.HalfWidth, cv = U(random, -0.6, 0.6) * s.HalfHeight;
                    double tu = Math.Cos(direction), tv = Math.Sin(direction);
                    return new Defect
                    {
                        Added = (u, v, body) =>
                        {
                            double along = (u - cu) * tu + (v - cv) * tv, across = -(u - cu) * tv + (v - cv) * tu;
                            if (Math.Abs(along) > length / 2) return 0;
                            return body * contrast * Math.Exp(-Sq(across) / (2 * Sq(width / 2)));
                        },
                    };
                }
                case DieDefect.Particle:
                {
                    // A blob of dust or residue on the body or a lead, dark or bright.
                    double radius = U(random, 1.5, 6) * scale, contrast = Sign(random, 0.5) * U(random, 0.08, 0.4);
                    double cu = U(random, -1, 1) * s.HalfWidth, cv = U(random, -1, 1) * (s.HalfHeight + s.LeadLength * 0.8);
                    return new Defect { Added = (u, v, _) => contrast * Math.Exp(-(Sq(u - cu) + Sq(v - cv)) / (2 * Sq(radius))) };
                }
                case DieDefect.ChippedEdge:
                {
                    // A bite out of the body's outline, on a long or short side.
                    double radius = U(random, 3, 11) * scale;
                    bool longSide = random.NextDouble() < 0.6;
                    double cu = longSide ? U(random, -0.9, 0.9) * s.HalfWidth : Sign(random, 0.5) * s.HalfWidth;
                    double cv = longSide ? Sign(random, 0.5) * s.HalfHeight : U(random, -0.8, 0.8) * s.HalfHeight;
                    return new Defect { BodyKept = (u, v) => 1 - Coverage(Math.Sqrt(Sq(u - cu) + Sq(v - cv)) - radius) };
                }
                case DieDefect.MissingLead:
                {
                    // A lead gone, or broken off short.
                    int side = random.NextDouble() < 0.5 ? -1 : 1, lead = random.Next(LeadsPerSide);
                    double kept = random.NextDouble() < 0.5 ? 0 : U(random, 0.3, 0.7);
                    return new Defect { LeadLength = (sd, k, l) => sd == side && k == lead ? l * kept : l };
                }
                default:
                    return new Defect();
            }
        }
    }

    /// <summary>Signed distance from a point to an axis-aligned box centred at the origin.</summary>
    static double Box(double u, double v, double halfWidth, double halfHeight)
    {
        double qu = Math.Abs(u) - halfWidth, qv = Math.Abs(v) - halfHeight;
        return Math.Sqrt(Sq(Math.Max(qu, 0)) + Sq(Math.Max(qv, 0))) + Math.Min(Math.Max(qu, qv), 0);
    }

    /// <summary>How much of a pixel lies inside a shape, from its signed distance (a one-pixel ramp, anti-aliased edges).</summary>
    static double Coverage(double signedDistance) => Math.Clamp(0.5 - signedDistance, 0, 1);

    static double U(Random random, double low, double high) => low + (high - low) * random.NextDouble();
    static double Sign(Random random, double positive) => random.NextDouble() < positive ? 1 : -1;
    static double Sq(double x) => x * x;

    static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
