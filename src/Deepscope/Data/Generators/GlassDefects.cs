namespace Deepscope.Data.Generators;

/// <summary>The classes of the glass masks, index = mask value (0 is defect-free glass or the background beyond the edge).</summary>
public static class GlassClasses
{
    public static IReadOnlyList<string> Names { get; } = ["background", "scratch", "pit", "crack", "chip", "dirt"];
    public const int Background = 0, Scratch = 1, Pit = 2, Crack = 3, Chip = 4, Dirt = 5;
}

/// <summary>
/// One defect of a synthetic glass image: a class, a pixel-exact shape (capsules: segments with a half width, and
/// ellipses) and a signed brightness change applied to every pixel of the shape and to no other. Its bounding box
/// lets a band of rows rasterise only the defects that cross it.
/// </summary>
public sealed record GlassDefect(int Class, IReadOnlyList<GlassDefect.Segment> Segments, IReadOnlyList<GlassDefect.Ellipse> Ellipses, float Delta)
{
    /// <summary>The pixels whose centre lies within <c>HalfWidth</c> of the segment (a capsule).</summary>
    public readonly record struct Segment(double X0, double Y0, double X1, double Y1, double HalfWidth);

    /// <summary>The pixels whose centre lies in the axis-aligned ellipse.</summary>
    public readonly record struct Ellipse(double X, double Y, double RadiusX, double RadiusY);

    /// <summary>Inclusive pixel bounds (left, top, right, bottom), unclipped.</summary>
    public (int Left, int Top, int Right, int Bottom) Bounds { get; } = BoundsOf(Segments, Ellipses);

    static (int, int, int, int) BoundsOf(IReadOnlyList<Segment> segments, IReadOnlyList<Ellipse> ellipses)
    {
        double l = double.MaxValue, t = double.MaxValue, r = double.MinValue, b = double.MinValue;
        foreach (var s in segments)
            (l, t, r, b) = (Math.Min(l, Math.Min(s.X0, s.X1) - s.HalfWidth), Math.Min(t, Math.Min(s.Y0, s.Y1) - s.HalfWidth),
                Math.Max(r, Math.Max(s.X0, s.X1) + s.HalfWidth), Math.Max(b, Math.Max(s.Y0, s.Y1) + s.HalfWidth));
        foreach (var e in ellipses)
            (l, t, r, b) = (Math.Min(l, e.X - e.RadiusX), Math.Min(t, e.Y - e.RadiusY), Math.Max(r, e.X + e.RadiusX), Math.Max(b, e.Y + e.RadiusY));
        return ((int)Math.Floor(l), (int)Math.Floor(t), (int)Math.Ceiling(r), (int)Math.Ceiling(b));
    }

    /// <summary>Whether the centre of pixel (x, y) lies in the shape.</summary>
    public bool Contains(int x, int y)
    {
        double px = x + 0.5, py = y + 0.5;
        foreach (var e in Ellipses)
        {
            double dx = (px - e.X) / e.RadiusX, dy = (py - e.Y) / e.RadiusY;
            if (dx * dx + dy * dy <= 1) return true;
        }
        foreach (var s in Segments)
        {
            double vx = s.X1 - s.X0, vy = s.Y1 - s.Y0, length2 = vx * vx + vy * vy;
            double t = length2 == 0 ? 0 : Math.Clamp(((px - s.X0) * vx + (py - s.Y0) * vy) / length2, 0, 1);
            double dx = px - (s.X0 + t * vx), dy = py - (s.Y0 + t * vy);
            if (dx * dx + dy * dy <= s.HalfWidth * s.HalfWidth) return true;
        }
        return false;
    }

    /// <summary>
    /// Random defects of realistic sizes at 0.5 micron per pixel (the smallest, about 10 microns, 20 pixels across):
    /// scratches (long thin gently curved lines), pits (small dark ellipses), branching cracks, chips (bites out of the
    /// glass edge, <paramref name="edgeAt"/> giving the edge row of a column, top and bottom) and dirt (clusters of blobs).
    /// </summary>
    public static GlassDefect Random(int kind, Random random, int width, int height, Func<int, bool, double> edgeAt)
    {
        double Uniform(double a, double b) => a + (b - a) * random.NextDouble();
        // Defects other than chips lie on the glass, clear of the edges by their own extent.
        double x = Uniform(0, width), y = Uniform(height * 0.12, height * 0.88);
        switch (kind)
        {
            case GlassClasses.Scratch:
            {
                double angle = Uniform(0, Math.PI), length = Math.Exp(Uniform(Math.Log(120), Math.Log(Math.Min(3000, width / 3.0))));
                double bend = Uniform(-0.25, 0.25), halfWidth = Uniform(1.5, 3.5);
                var segments = new List<Segment>();
                int pieces = 6;
                double px = x, py = y;
                for (int i = 0; i < pieces; i++)
                {
                    double a = angle + bend * (i - pieces / 2.0) / pieces;
                    double nx = px + Math.Cos(a) * length / pieces, ny = py + Math.Sin(a) * length / pieces * 0.3;
                    segments.Add(new Segment(px, py, nx, ny, halfWidth));
                    (px, py) = (nx, ny);
                }
                return new GlassDefect(kind, segments, [], random.NextDouble() < 0.7 ? (float)Uniform(0.18, 0.3) : -(float)Uniform(0.15, 0.25));
            }
            case GlassClasses.Pit:
            {
                double r = Uniform(10, 30);
                return new GlassDefect(kind, [], [new Ellipse(x, y, r * Uniform(0.7, 1.3), r * Uniform(0.7, 1.3))], -(float)Uniform(0.22, 0.35));
            }
            case GlassClasses.Crack:
            {
                var segments = new List<Segment>();
                var tips = new List<(double X, double Y, double Angle, int Steps)> { (x, y, Uniform(0, 2 * Math.PI), random.Next(8, 20)) };
                while (tips.Count > 0 && segments.Count < 60)
                {
                    var (tx, ty, a, steps) = tips[^1];
                    tips.RemoveAt(tips.Count - 1);
                    for (int i = 0; i < steps; i++)
                    {
                        a += Uniform(-0.5, 0.5);
                        double step = Uniform(15, 40), nx = tx + Math.Cos(a) * step, ny = ty + Math.Sin(a) * step;
                        segments.Add(new Segment(tx, ty, nx, ny, Uniform(1.5, 2.5)));
                        (tx, ty) = (nx, ny);
                        if (random.NextDouble() < 0.15) tips.Add((tx, ty, a + (random.NextDouble() < 0.5 ? 1 : -1) * Uniform(0.5, 1.2), random.Next(3, 10)));
                    }
                }
                return new GlassDefect(kind, segments, [], -(float)Uniform(0.25, 0.35));
            }
            case GlassClasses.Chip:
            {
                bool top = random.NextDouble() < 0.5;
                double edge = edgeAt((int)x, top), rx = Uniform(15, 120), ry = rx * Uniform(0.4, 0.9);
                // A bite centred on the edge line: its glass-side half is the chip (pixels beyond the edge are not glass).
                return new GlassDefect(kind, [], [new Ellipse(x, edge, rx, ry)], -(float)Uniform(0.3, 0.4));
            }
            case GlassClasses.Dirt:
            {
                double r = Uniform(8, 40);
                var blobs = Enumerable.Range(0, random.Next(1, 5))
                    .Select(_ => new Ellipse(x + Uniform(-r, r), y + Uniform(-r, r), r * Uniform(0.5, 1), r * Uniform(0.5, 1))).ToList();
                return new GlassDefect(kind, [], blobs, -(float)Uniform(0.1, 0.18));
            }
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a defect class");
        }
    }
}
