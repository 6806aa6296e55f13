using Deepscope.CryoEm;
using Deepscope.Numerics;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.CryoEm;

public sealed class ProjectorTests(ITestOutputHelper output)
{
    /// <summary>A centred isotropic 3D Gaussion of standard deviation s (voxels) in an n-cube.</summary>
    static Tensor Gaussian(int n, double s)
    {
        var r = arange(n, dtype: ScalarType.Float64) - n / 2;
        var r2 = r.reshape(-1, 1, 1).square() + r.reshape(1, -1, 1).square() + r.reshape(1, 1, -1).square();
        return (-r2 / (2 * s * s)).exp().to_type(ScalarType.Float32);
    }

    /// <summary>Its projection along any axis: sqrt(2 pi) s exp(-(u^2 + v^2) / 2 s^2).</summary>
    static Tensor Analytic(int n, double s)
    {
        var r = arange(n, dtype: ScalarType.Float64) - n / 2;
        var r2 = r.reshape(-1, 1).square() + r.reshape(1, -1).square();
        return Math.Sqrt(2 * Math.PI) * s * (-r2 / (2 * s * s)).exp();
    }

    static List<double[]> RandomRotations(int count, ulong seed)
    {
        var random = new RandomStream(seed);
        return Enumerable.Range(0, count).Select(_ => Rotations.Uniform(random)).ToList();
    }

    [Fact]
    public void Gaussian_ProjectsToAnalyticGaussian_BothProjectors()
    {
        using var scope = NewDisposeScope();
        // Trilinear interpolation's bias on a Gaussian falls as 1/width^2 (in real space) and 1/(Fourier width)^2: a wide
        // Gaussian for the ray sums, a narrow one on a finely padded Fourier grid.
        var rotations = RandomRotations(3, 7);
        using var realProjector = new RealSpaceProjector(Gaussian(128, 16));
        var real = realProjector.Project(rotations);
        double realError = (real.to_type(ScalarType.Float64) - Analytic(128, 16)).abs().max().item<double>() / (Math.Sqrt(2 * Math.PI) * 16);
        using var fourierProjector = new FourierSliceProjector(Gaussian(32, 2), padding: 6);
        var fourier = fourierProjector.Project(rotations);
        double fourierError = (fourier.to_type(ScalarType.Float64) - Analytic(32, 2)).abs().max().item<double>() / (Math.Sqrt(2 * Math.PI) * 2);
        output.WriteLine($"max error / peak: real space {realError:E2}, Fourier slice {fourierError:E2}");
        Assert.True(realError < 1e-3, $"real-space projector: max error {realError:E2} of the peak");
        Assert.True(fourierError < 1e-3, $"Fourier-slice projector: max error {fourierError:E2} of the peak");
    }

    /// <summary>
    /// Narrow Gaussian "atoms" (s voxels) at random positions within radius n/3 of the centre: a volume with content up to
    /// Nyquist whose exact projections are known: atom (x, y, z) lands at (u, v) = the first two rows of A (x, y, z).
    /// </summary>
    static (Tensor Volume, Func<double[], Tensor> Projection) Atoms(int n, double s, int count, ulong seed)
    {
        var random = new RandomStream(seed);
        var atoms = new List<(double X, double Y, double Z, double Weight)>();
        while (atoms.Count < count)
        {
            double x = (2 * random.NextDouble() - 1) * n / 3, y = (2 * random.NextDouble() - 1) * n / 3, z = (2 * random.NextDouble() - 1) * n / 3;
            if (x * x + y * y + z * z <= n * n / 9.0) atoms.Add((x, y, z, 0.5 + random.NextDouble()));
        }
        var r = arange(n, dtype: ScalarType.Float64) - n / 2;
        Tensor Blob(double[] centre, Func<Tensor, Tensor> shape)
        {
            var d = Enumerable.Range(0, centre.Length).Select(i => shape(r - centre[i]).square()).ToArray();
            return d.Length == 3 ? d[2].reshape(-1, 1, 1) + d[1].reshape(1, -1, 1) + d[0].reshape(1, 1, -1) : d[1].reshape(-1, 1) + d[0].reshape(1, -1);
        }
        var volume = zeros(n, n, n, dtype: ScalarType.Float64);
        foreach (var a in atoms) volume += a.Weight * (-Blob([a.X, a.Y, a.Z], t => t) / (2 * s * s)).exp();
        Tensor Project(double[] m)
        {
            var image = zeros(n, n, dtype: ScalarType.Float64);
            foreach (var a in atoms)
            {
                double u = m[0] * a.X + m[1] * a.Y + m[2] * a.Z, v = m[3] * a.X + m[4] * a.Y + m[5] * a.Z;
                image += a.Weight * Math.Sqrt(2 * Math.PI) * s * (-Blob([u, v], t => t) / (2 * s * s)).exp();
            }
            return image;
        }
        return (volume.to_type(ScalarType.Float32), Project);
    }

    static double Correlation(Tensor a, Tensor b) =>
        corrcoef(stack([a.flatten().to_type(ScalarType.Float64), b.flatten().to_type(ScalarType.Float64)]))[0, 1].item<double>();

    [Fact]
    public void Projectors_MatchTheExactProjectionsOfGaussianAtoms()
    {
        using var scope = NewDisposeScope();
        // Atoms of s = 0.8 voxel reach Nyquist (their spectrum there is exp(-2 pi^2 s^2 / 4) = 0.04 of its peak). Measured
        // before the Nyquist sphere, the 2x upsampling and the gridding correction: real space 0.9917-0.9931 against the
        // exact projections at s = 0.8, Fourier slice 0.9991-0.9994; after: 0.9988 and 0.9991 at worst.
        foreach (double s in new[] { 0.8, 1.5 })
        {
            var (volume, exact) = Atoms(64, s, 60, 3);
            var rotations = RandomRotations(4, 5);
            using var realProjector = new RealSpaceProjector(volume);
            using var fourierProjector = new FourierSliceProjector(volume);
            var (real, fourier) = (realProjector.Project(rotations), fourierProjector.Project(rotations));
            for (int i = 0; i < rotations.Count; i++)
            {
                var truth = exact(rotations[i]);
                double withReal = Correlation(real[i], truth), withFourier = Correlation(fourier[i], truth), between = Correlation(real[i], fourier[i]);
                output.WriteLine($"s {s}, rotation {i}: real-space {withReal:F5}, Fourier slice {withFourier:F5}, between {between:F5}");
                Assert.True(withReal >= 0.998, $"s {s}, rotation {i}: real-space projection correlates {withReal:F5} with the exact one");
                Assert.True(withFourier >= 0.999, $"s {s}, rotation {i}: Fourier-slice projection correlates {withFourier:F5} with the exact one");
                Assert.True(between >= 0.999, $"s {s}, rotation {i}: the projectors correlate {between:F5}");
            }
        }
    }

    [Fact]
    public void Projectors_Agree_OnARealMap()
    {
        var data = SharedData.Require("cryoem/cryodrgn-testdata/hand-vol.mrc");
        using var scope = NewDisposeScope();
        var volume = ParticleSimulator.CentredCube(MrcFile.Read(Path.Combine(data, "cryoem/cryodrgn-testdata/hand-vol.mrc")), 64);
        var rotations = RandomRotations(4, 11);
        using var realProjector = new RealSpaceProjector(volume);
        using var fourierProjector = new FourierSliceProjector(volume);
        var (real, fourier) = (realProjector.Project(rotations), fourierProjector.Project(rotations));
        // The hand map holds noise up to the spectrum's corners (28% of its energy beyond the Nyquist sphere): both
        // projectors limit it to the sphere, the real-space one interpolates on a 2x sinc-upsampled grid and the Fourier
        // one corrects its trilinear gridding; without these the full band agreed at 0.976-0.996 (session 8).
        var k = fft.fftfreq(64);
        var lowPass = ((k.unsqueeze(1).square() + k.unsqueeze(0).square()).sqrt() < 0.25).to_type(ScalarType.Float32);
        Tensor Band(Tensor image) => fft.ifft2(fft.fft2(image) * lowPass).real;
        for (int i = 0; i < rotations.Count; i++)
        {
            double raw = corrcoef(stack([real[i].flatten(), fourier[i].flatten()]))[0, 1].item<float>();
            double correlation = corrcoef(stack([Band(real[i]).flatten(), Band(fourier[i]).flatten()]))[0, 1].item<float>();
            output.WriteLine($"rotation {i}: correlation {raw:F5} (full band), {correlation:F5} (below half Nyquist)");
            Assert.True(correlation >= 0.99, $"rotation {i}: correlation {correlation:F4} below half Nyquist");
            Assert.True(raw >= 0.99, $"rotation {i}: correlation {raw:F4} over the full band");
        }
        // The identity view of the real-space projector is the plain sum along Z (of a band-limited volume: the projector
        // limits it to the Nyquist sphere; two blobs, so the axes' order shows).
        var blobs = Gaussian(64, 4) + roll(Gaussian(64, 3), [5, -7, 3], [0, 1, 2]);
        using var blobProjector = new RealSpaceProjector(blobs);
        var identity = blobProjector.Project([[1, 0, 0, 0, 1, 0, 0, 0, 1]]);
        var sum = blobs.sum([0]);
        float difference = (identity[0] - sum).abs().max().item<float>(), peak = sum.abs().max().item<float>();
        Assert.True(difference < 1e-5f * peak, $"identity view differs from the sum along Z by {difference} (peak {peak})");
    }

    [Fact]
    public void Euler_RoundTrips_AndUniformRotationsAreOrthonormal()
    {
        var random = new RandomStream(2);
        for (int i = 0; i < 50; i++)
        {
            var a = Rotations.Uniform(random);
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal(r == c ? 1 : 0, a[3 * r] * a[3 * c] + a[3 * r + 1] * a[3 * c + 1] + a[3 * r + 2] * a[3 * c + 2], 10);
            var (rot, tilt, psi) = Rotations.ToEuler(a);
            var b = Rotations.FromEuler(rot, tilt, psi);
            for (int k = 0; k < 9; k++) Assert.Equal(a[k], b[k], 9);
        }
        // Uniform on SO(3): the view direction's z component (third row of A) is uniform in [-1, 1], mean 0, variance 1/3.
        var z = Enumerable.Range(0, 20000).Select(_ => Rotations.Uniform(random)[8]).ToArray();
        Assert.InRange(z.Average(), -0.02, 0.02);
        Assert.InRange(z.Select(v => v * v).Average(), 1 / 3.0 - 0.01, 1 / 3.0 + 0.01);
    }

    [Fact]
    public void Ctf_MatchesTheFormula()
    {
        using var scope = NewDisposeScope();
        var optics = new CtfOptics { VoltageKv = 300, SphericalAberrationMm = 2.7, AmplitudeContrast = 0.07 };
        Assert.Equal(0.019687, optics.WavelengthAngstrom, 5); // 300 kV electrons: 0.0197 Å
        var ctf = Ctf.Grid(64, 1.5, optics, new Defocus(15000, 15000, 0));
        Assert.Equal(-0.07, ctf[0, 0].item<float>(), 5); // zero frequency: -A
        double k = 5 / (64 * 1.5), lambda = optics.WavelengthAngstrom;
        double chi = Math.PI * lambda * 15000 * k * k - Math.PI / 2 * 2.7e7 * Math.Pow(lambda, 3) * Math.Pow(k, 4);
        Assert.Equal(-(Math.Sqrt(1 - 0.0049) * Math.Sin(chi) + 0.07 * Math.Cos(chi)), ctf[0, 5].item<float>(), 5);
        Assert.Equal(ctf[0, 5].item<float>(), ctf[5, 0].item<float>(), 6); // no astigmatism: isotropic
    }

    [Fact]
    public void Simulator_StreamsAStack_SameForAnyBatchSize()
    {
        using var dir = new TempDir();
        using (var scope = NewDisposeScope())
        {
            var gaussian = Gaussian(24, 3);
            var blob = gaussian + roll(Gaussian(24, 2), [4, -3, 2], [0, 1, 2]);
            MrcFile.Write(dir.File("map.mrc"), new MrcMap(MrcFile.NewHeader(24, 24, 24, stack: false, voxelSize: 2), blob.data<float>().ToArray()));
        }
        var options = new ParticleSimulationOptions { Count = 7, Size = 32, Ctf = true, MaxShift = 3, Batch = 3 };
        var (stack, star) = ParticleSimulator.Run(dir.File("map.mrc"), dir.File("a.mrcs"), 5, options);
        ParticleSimulator.Run(dir.File("map.mrc"), dir.File("b.mrcs"), 5, options with { Batch = 7 });
        var a = MrcFile.Read(stack);
        Assert.Equal((32, 32, 7, true, 2f), (a.Header.Nx, a.Header.Ny, a.Header.Nz, a.Header.IsImageStack, a.Header.VoxelSize.X));
        var b = MrcFile.Read(dir.File("b.mrcs"));
        for (int i = 0; i < a.Data.Length; i++) Assert.Equal(a.Data[i], b.Data[i], 4);
        // Particle i depends on the seed and i alone: a shorter stack is the longer one's beginning.
        ParticleSimulator.Run(dir.File("map.mrc"), dir.File("c.mrcs"), 5, options with { Count = 4 });
        var c = MrcFile.Read(dir.File("c.mrcs"));
        for (int i = 0; i < c.Data.Length; i++) Assert.Equal(a.Data[i], c.Data[i], 4);
        var particles = StarFile.Block(StarFile.Read(star), "particles", star);
        Assert.Equal(7, particles.Rows.Count);
        Assert.All(particles.Numbers("rlnDefocusU"), d => Assert.InRange(d, 10000, 25500));
        Assert.Equal("000001@a.mrcs", particles.Rows[0][0]);
    }

    [Fact]
    public void Project_BadMapsAndOptions_AreOneLineErrorsNamingTheFile()
    {
        using var dir = new TempDir();
        MrcFile.Write(dir.File("complex.mrc"), new MrcMap(MrcFile.NewHeader(4, 4, 4, stack: false, mode: MrcMode.Complex64), new float[128]));
        MrcFile.Write(dir.File("axes.mrc"), new MrcMap(MrcFile.NewHeader(4, 4, 4, stack: false) with { Mapc = 1, Mapr = 1, Maps = 3 }, new float[64]));
        string Error(params string[] args)
        {
            var (exit, _, stderr) = CliRunner.Run(["cryoem", "project", "--output", dir.File("p.mrcs"), "--count", "2", "--size", "8", .. args]);
            Assert.True(exit == 1, stderr);
            Assert.False(File.Exists(dir.File("p.mrcs")));
            return Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        // Both used to be errors without the file's name.
        Assert.Contains("complex.mrc: axis reordering needs a real-valued map", Error("--map", dir.File("complex.mrc")));
        Assert.Contains("axes.mrc: invalid MAPC/MAPR/MAPS 1/1/3", Error("--map", dir.File("axes.mrc")));
        // A reversed defocus range used to be drawn from silently.
        Assert.Contains("defocus_min (30000) is above defocus_max (20000)", Error("--map", dir.File("axes.mrc"), "--ctf", "true", "--defocus_min", "30000", "--defocus_max", "20000"));
    }
}
