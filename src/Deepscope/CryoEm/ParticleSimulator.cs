using System.Globalization;
using Deepscope.Catalogs;
using Deepscope.IO;
using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.CryoEm;

/// <summary>What the particle simulator draws: sizes, orientations (uniform on SO(3)), shifts and the optional CTF.</summary>
public sealed record ParticleSimulationOptions
{
    [Param(Min = 1, Description = "number of projections")]
    public int Count { get; init; } = 1000;
    [Param(Min = 8, Max = 4096, Description = "side of the square images (the map is centred in a cube of this side: padded or cropped)")]
    public int Size { get; init; } = 128;
    [Param(Min = 0, Description = "largest in-plane shift in pixels (uniform in a disc); 0 keeps particles centred")]
    public double MaxShift { get; init; }
    [Param(Description = "apply a contrast transfer function with a random defocus per particle")]
    public bool Ctf { get; init; }
    [Param(Min = 0, Description = "smallest defocus in ångström (underfocus positive)")]
    public double DefocusMin { get; init; } = 10000;
    [Param(Min = 0, Description = "largest defocus in ångström")]
    public double DefocusMax { get; init; } = 25000;
    [Param(Min = 0, Description = "largest astigmatism |U - V| / 2 in ångström")]
    public double Astigmatism { get; init; } = 500;
    [Param(Min = 1, Description = "acceleration voltage in kV")]
    public double VoltageKv { get; init; } = 300;
    [Param(Min = 0, Description = "spherical aberration Cs in mm")]
    public double SphericalAberrationMm { get; init; } = 2.7;
    [Param(Min = 0, Max = 1, Description = "amplitude contrast fraction")]
    public double AmplitudeContrast { get; init; } = 0.1;
    public CtfOptics Optics => new() { VoltageKv = VoltageKv, SphericalAberrationMm = SphericalAberrationMm, AmplitudeContrast = AmplitudeContrast };
    [Param(Min = 0, Description = "pixel size in ångström; 0 takes the map's voxel size (1 when the header has none)")]
    public double PixelSize { get; init; }
    [Param(Min = 1, Max = 4096, Description = "projections computed together (memory ~ batch x (2 size)^2 x 12 bytes)")]
    public int Batch { get; init; } = 32;
}

/// <summary>One simulated particle's parameters, as written to the STAR file beside the stack.</summary>
public sealed record ParticlePose(double Rot, double Tilt, double Psi, double ShiftX, double ShiftY, Defocus Defocus);

/// <summary>
/// Simulates clean particle images: projections of a 3D map at uniformly random orientations (Fourier-slice projector),
/// optional in-plane shifts and CTF, streamed to an .mrcs stack in batches (memory bounded by the batch) with a RELION
/// .star file of the poses beside it. Particle i's parameters depend only on the seed and i, so any batch size gives
/// the same stack.
/// </summary>
public static class ParticleSimulator
{
    public static (string Stack, string Star) Run(string mapPath, string outputPath, long seed, ParticleSimulationOptions options, IProgressReporter? progress = null)
    {
        if (options.DefocusMin > options.DefocusMax)
            throw new DeepscopeException($"defocus_min ({options.DefocusMin}) is above defocus_max ({options.DefocusMax})");
        var map = MrcFile.Read(mapPath);
        double pixel = options.PixelSize > 0 ? options.PixelSize : map.Header.VoxelSize.X > 0 ? map.Header.VoxelSize.X : 1;
        using var scope = NewDisposeScope();
        Tensor cube;
        // The map's own problems (complex data, invalid axes) name the file.
        try { cube = CentredCube(map, options.Size); }
        catch (DeepscopeException e) when (e is not InvalidDataFileException) { throw new InvalidDataFileException(mapPath, e.Message); }
        using var projector = new FourierSliceProjector(cube);
        var poses = new List<ParticlePose>(options.Count);
        using (var writer = new MrcStackWriter(outputPath, options.Size, options.Size, (float)pixel, labels: [$"deepscope cryoem project: {Path.GetFileName(mapPath)}, seed {seed}"]))
        using (var task = (progress ?? NoProgress.Instance).Start("projections", options.Count))
        {
            for (int start = 0; start < options.Count; start += options.Batch)
            {
                using var batchScope = NewDisposeScope();
                int count = Math.Min(options.Batch, options.Count - start);
                var rotations = new List<double[]>(count);
                var batchPoses = new List<ParticlePose>(count);
                for (int i = 0; i < count; i++)
                {
                    var random = new RandomStream((ulong)seed, (ulong)(start + i));
                    var rotation = Rotations.Uniform(random);
                    rotations.Add(rotation);
                    batchPoses.Add(DrawPose(rotation, random, options));
                }
                var images = projector.Project(rotations, (i, padded) => Filter(batchPoses[i], padded, pixel, options));
                writer.Append(images.data<float>().ToArray());
                poses.AddRange(batchPoses);
                task.Advance(count);
            }
            writer.Complete();
        }
        var star = Path.ChangeExtension(outputPath, ".star");
        AtomicFile.WriteAllText(star, StarText(Path.GetFileName(outputPath), poses, pixel, options));
        return (outputPath, star);
    }

    static ParticlePose DrawPose(double[] rotation, RandomStream random, ParticleSimulationOptions options)
    {
        var (rot, tilt, psi) = Rotations.ToEuler(rotation);
        double radius = options.MaxShift * Math.Sqrt(random.NextDouble()), angle = 2 * Math.PI * random.NextDouble();
        double mean = options.DefocusMin + (options.DefocusMax - options.DefocusMin) * random.NextDouble();
        double astigmatism = options.Astigmatism * random.NextDouble();
        var defocus = new Defocus(mean + astigmatism, mean - astigmatism, 180 * random.NextDouble());
        return new ParticlePose(rot, tilt, psi, radius * Math.Cos(angle), radius * Math.Sin(angle), defocus);
    }

    // The Fourier filter of one particle on the padded grid: the CTF and the shift's phase ramp exp(-2 pi i k.s).
    static Tensor? Filter(ParticlePose pose, int padded, double pixel, ParticleSimulationOptions options)
    {
        if (!options.Ctf && pose.ShiftX == 0 && pose.ShiftY == 0) return null;
        var k = fft.fftfreq(padded, dtype: ScalarType.Float64);
        var phase = -2 * Math.PI * (k.unsqueeze(1) * pose.ShiftY + k.unsqueeze(0) * pose.ShiftX);
        var filter = polar(ones_like(phase), phase).to_type(ScalarType.ComplexFloat32);
        return options.Ctf ? filter * Ctf.Grid(padded, pixel, options.Optics, pose.Defocus) : filter;
    }

    /// <summary>The map in X-fastest order, centred in a cube of side <paramref name="size"/> (zero-padded or cropped).</summary>
    public static Tensor CentredCube(MrcMap map, int size)
    {
        var (data, nx, ny, nz) = map.InXyzOrder();
        var cube = zeros(size, size, size, dtype: ScalarType.Float32);
        var volume = tensor(data, [nz, ny, nx]);
        TensorIndex[] Fit(int n) => [TensorIndex.Slice(Math.Max(0, size / 2 - n / 2), Math.Max(0, size / 2 - n / 2) + Math.Min(n, size)),
                                     TensorIndex.Slice(Math.Max(0, n / 2 - size / 2), Math.Max(0, n / 2 - size / 2) + Math.Min(n, size))];
        var (z, y, x) = (Fit(nz), Fit(ny), Fit(nx));
        cube[z[0], y[0], x[0]] = volume[z[1], y[1], x[1]];
        return cube;
    }

    static string StarText(string stackName, IReadOnlyList<ParticlePose> poses, double pixel, ParticleSimulationOptions options)
    {
        var text = new System.Text.StringBuilder();
        var o = options.Optics;
        string F(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
        text.Append("\n# version 30001\n\ndata_optics\n\nloop_\n_rlnOpticsGroup #1\n_rlnOpticsGroupName #2\n_rlnAmplitudeContrast #3\n")
            .Append("_rlnSphericalAberration #4\n_rlnVoltage #5\n_rlnImagePixelSize #6\n_rlnImageSize #7\n_rlnImageDimensionality #8\n")
            .Append($"1 opticsGroup1 {F(o.AmplitudeContrast)} {F(o.SphericalAberrationMm)} {F(o.VoltageKv)} {F(pixel)} {options.Size} 2\n\n")
            .Append("\n# version 30001\n\ndata_particles\n\nloop_\n_rlnImageName #1\n_rlnAngleRot #2\n_rlnAngleTilt #3\n_rlnAnglePsi #4\n")
            .Append("_rlnOriginXAngst #5\n_rlnOriginYAngst #6\n_rlnDefocusU #7\n_rlnDefocusV #8\n_rlnDefocusAngle #9\n_rlnOpticsGroup #10\n");
        for (int i = 0; i < poses.Count; i++)
        {
            var p = poses[i];
            var d = options.Ctf ? p.Defocus : new Defocus(0, 0, 0);
            text.Append($"{i + 1:D6}@{stackName} {F(p.Rot)} {F(p.Tilt)} {F(p.Psi)} {F(p.ShiftX * pixel)} {F(p.ShiftY * pixel)} {F(d.U)} {F(d.V)} {F(d.AngleDegrees)} 1\n");
        }
        return text.ToString();
    }
}
