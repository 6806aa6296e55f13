using System.Globalization;
using System.Text;
using Deepscope.Catalogs;
using Deepscope.Numerics;

namespace Deepscope.Data.Generators;

public sealed record GlassOptions
{
    [Param(Min = 64, Max = 1 << 17, Description = "image width in pixels (the line camera's sensor: 16384)")] public int Width { get; init; } = 16384;
    [Param(Min = 64, Max = 1 << 17, Description = "image height in pixels (lines scanned)")] public int Height { get; init; } = 8192;
    [Param(Min = 1, Max = 10000, Description = "images to write")] public int Count { get; init; } = 2;
    [Param(Min = 0, Max = 100, Description = "defects per megapixel, the five classes equally likely")] public double DefectsPerMegapixel { get; init; } = 0.4;
    [Param(Min = 8, Max = 16, Description = "bits per image sample: 8 or 16")] public int Bits { get; init; } = 8;
    [Param(Min = 0, Description = "microns per pixel, written to glass.json for defect areas")] public double MicronsPerPixel { get; init; } = 0.5;
}

/// <summary>
/// The stand-in for a lab's private 16K line-camera scans of smartphone glass: a grey textured plate (a fixed column
/// gain pattern and slow per-column drift as a line camera has, row flicker, fine texture, pixel noise) with its edges
/// near the top and bottom rows, and scratches, pits, branching cracks, edge chips and dirt (<see cref="GlassDefect"/>).
/// Writes <c>images/glass_NNN.tif</c> (8 or 16-bit grey), <c>masks/glass_NNN.tif</c> (8-bit class indices,
/// <see cref="GlassClasses"/>; a defect's pixels are exactly the pixels it changed, a later defect covering an
/// earlier one), <c>defects.csv</c> (each defect's class, bounds and visible pixels) and <c>glass.json</c>. Both TIFFs
/// are rendered band by band from per-pixel hashes, so an image of any size is written with one band in memory.
/// </summary>
public sealed class GlassGenerator(GlassOptions options) : IDatasetGenerator
{
    public const string ImagesFolder = "images", MasksFolder = "masks", DefectsFile = "defects.csv";

    public string Generate(string folder, long seed, IProgressReporter progress)
    {
        if (options.Bits is not (8 or 16)) throw new DeepscopeException($"glass images have 8 or 16 bits per sample, not {options.Bits}");
        Directory.CreateDirectory(Path.Combine(folder, ImagesFolder));
        Directory.CreateDirectory(Path.Combine(folder, MasksFolder));
        var csv = new StringBuilder("image,defect,class,left,top,right,bottom,pixels\n");
        using var task = progress.Start("glass images", options.Count, "img");
        int defects = 0;
        for (int i = 0; i < options.Count; i++)
        {
            var plate = GlassPlate.Plan(options, seed, i);
            var name = string.Create(CultureInfo.InvariantCulture, $"glass_{i:D3}.tif");
            var pixels = new long[plate.Defects.Count];
            TiffWriter.Write(Path.Combine(folder, MasksFolder, name), options.Height, options.Width, 1, 8, 0, (top, rows, band) =>
            {
                var owners = plate.Owners(top, rows);
                for (int p = 0; p < owners.Length; p++)
                    if (owners[p] >= 0)
                    {
                        band[p] = plate.Defects[owners[p]].Class / 255f;
                        pixels[owners[p]]++;
                    }
            });
            TiffWriter.Write(Path.Combine(folder, ImagesFolder, name), options.Height, options.Width, 1, options.Bits, 0,
                (top, rows, band) => plate.Render(top, rows, band, withDefects: true));
            for (int d = 0; d < plate.Defects.Count; d++)
            {
                var (l, t, r, b) = plate.Defects[d].Bounds;
                csv.Append(CultureInfo.InvariantCulture,
                    $"{name},{d},{GlassClasses.Names[plate.Defects[d].Class]},{Math.Max(0, l)},{Math.Max(0, t)},{Math.Min(options.Width - 1, r)},{Math.Min(options.Height - 1, b)},{pixels[d]}\n");
            }
            defects += plate.Defects.Count;
            task.Advance(1);
        }
        File.WriteAllText(Path.Combine(folder, DefectsFile), csv.ToString());
        File.WriteAllText(Path.Combine(folder, "glass.json"), string.Create(CultureInfo.InvariantCulture,
            $"{{\"classes\": [{string.Join(", ", GlassClasses.Names.Select(n => $"\"{n}\""))}], \"microns_per_pixel\": {options.MicronsPerPixel}, \"bits\": {options.Bits}}}\n"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{options.Count} glass images of {options.Width}x{options.Height} ({options.Bits}-bit) with {defects} defects, masks of {GlassClasses.Names.Count} classes");
    }
}

/// <summary>One planned glass image: its defects and the per-pixel functions that draw the plate, pure in (x, y).</summary>
public sealed class GlassPlate
{
    const float Outside = 0.12f, Glass = 0.55f;
    readonly int _width, _height;
    readonly ulong _seed;
    readonly float[] _columnGain;
    readonly double _edgeTop, _edgeBottom, _edgePhase, _flickerPhase;

    GlassPlate(int width, int height, ulong seed, Random random)
    {
        (_width, _height, _seed) = (width, height, seed);
        _edgeTop = height * random.NextDouble() * 0.04 + 4;
        _edgeBottom = height * random.NextDouble() * 0.04 + 4;
        _edgePhase = random.NextDouble() * 2 * Math.PI;
        _flickerPhase = random.NextDouble() * 2 * Math.PI;
        double drift = random.NextDouble() * 2 * Math.PI;
        // A line camera's columns each have their own gain: a slow drift across the sensor plus a fixed pattern.
        _columnGain = [.. Enumerable.Range(0, width).Select(x =>
            (float)(1 + 0.04 * Math.Sin(2 * Math.PI * x / width * 3 + drift) + 0.02 * (Hash(seed, 7, (ulong)x) - 0.5)))];
    }

    public IReadOnlyList<GlassDefect> Defects { get; private set; } = [];

    /// <summary>Image <paramref name="index"/> of a data set, from the seed alone.</summary>
    public static GlassPlate Plan(GlassOptions options, long seed, int index)
    {
        ulong plateSeed = SplitMix64.Derive((ulong)seed, (ulong)index);
        var random = new Random(unchecked((int)plateSeed));
        var plate = new GlassPlate(options.Width, options.Height, plateSeed, random);
        double expected = options.DefectsPerMegapixel * options.Width * options.Height / 1e6;
        int count = (int)Math.Floor(expected) + (random.NextDouble() < expected - Math.Floor(expected) ? 1 : 0);
        plate.Defects = [.. Enumerable.Range(0, count).Select(d => GlassDefect.Random(1 + d % 5, random, options.Width, options.Height, plate.EdgeAt))];
        return plate;
    }

    /// <summary>The row of the glass edge in column <paramref name="x"/>: the first glass row (top) or the first row beyond it (bottom).</summary>
    public double EdgeAt(int x, bool top)
    {
        double wave = 3 * Math.Sin(2 * Math.PI * x / 2048.0 + _edgePhase);
        return top ? _edgeTop + wave : _height - _edgeBottom + wave;
    }

    bool IsGlass(int x, int y) => y + 0.5 >= EdgeAt(x, true) && y + 0.5 < EdgeAt(x, false);

    /// <summary>For rows [top, top + rows): the index of the defect owning each pixel (the last drawn), or -1.</summary>
    public int[] Owners(int top, int rows)
    {
        var owners = new int[rows * _width];
        Array.Fill(owners, -1);
        for (int d = 0; d < Defects.Count; d++)
        {
            var defect = Defects[d];
            var (l, t, r, b) = defect.Bounds;
            for (int y = Math.Max(t, top); y <= Math.Min(b, top + rows - 1); y++)
                for (int x = Math.Max(l, 0); x <= Math.Min(r, _width - 1); x++)
                    // A chip is the glass its bite removed; the bite's half beyond the edge was never glass.
                    if (defect.Contains(x, y) && (defect.Class != GlassClasses.Chip || IsGlass(x, y)))
                        owners[(y - top) * _width + x] = d;
        }
        return owners;
    }

    /// <summary>Fills rows [top, top + rows) of the image in [0, 1]; without defects the clean plate (the tests' reference).</summary>
    public void Render(int top, int rows, float[] band, bool withDefects)
    {
        var owners = withDefects ? Owners(top, rows) : null;
        for (int y = top; y < top + rows; y++)
        {
            float flicker = (float)(1 + 0.01 * Math.Sin(2 * Math.PI * y / 1500.0 + _flickerPhase));
            for (int x = 0; x < _width; x++)
            {
                float noise = 0.03f * (float)(Hash(_seed, (ulong)y, (ulong)x) - 0.5);
                float value = IsGlass(x, y) ? Glass * _columnGain[x] * flicker + Texture(x, y) + noise : Outside + noise;
                int at = (y - top) * _width + x;
                if (owners is not null && owners[at] >= 0) value += Defects[owners[at]].Delta;
                band[at] = value;
            }
        }
    }

    /// <summary>Smooth value noise of period 64 pixels, amplitude 0.02: the plate's faint surface texture.</summary>
    float Texture(int x, int y)
    {
        const int Cell = 64;
        int cx = x / Cell, cy = y / Cell;
        double fx = Smooth((x % Cell + 0.5) / Cell), fy = Smooth((y % Cell + 0.5) / Cell);
        double Corner(int dx, int dy) => Hash(_seed, 11, (ulong)(cy + dy) << 32 | (uint)(cx + dx));
        double top = Corner(0, 0) + (Corner(1, 0) - Corner(0, 0)) * fx, bottom = Corner(0, 1) + (Corner(1, 1) - Corner(0, 1)) * fx;
        return (float)(0.04 * (top + (bottom - top) * fy - 0.5));
    }

    static double Smooth(double t) => t * t * (3 - 2 * t);

    /// <summary>A uniform number in [0, 1) from the seed and two integers, the same in every process.</summary>
    static double Hash(ulong seed, ulong a, ulong b) => (SplitMix64.Derive(seed, a, b) >> 11) * (1.0 / (1UL << 53));
}
