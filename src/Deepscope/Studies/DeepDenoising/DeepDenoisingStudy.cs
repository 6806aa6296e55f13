using System.Diagnostics;
using Deepscope.CryoEm;
using Deepscope.Denoising;
using Deepscope.Denoising.Networks;
using Deepscope.Numerics;
using Deepscope.Reports;

namespace Deepscope.Studies.DeepDenoising;

/// <summary>One method at one SNR on the test particles: per-particle scores, and the seconds per particle.</summary>
public sealed record ParticleScores(double Snr, string Method, double[] NoisyPsnr, double[] Psnr, double[] Ssim, double[] FrcResolution, double SecondsPerImage);

/// <summary>A self-supervised method on real particles: the FRC between the two half-set models' outputs.</summary>
public sealed record HalfSetResult(string Method, int Particles, double[] Frc, double Resolution, double TrainingSeconds, string Stack);

/// <summary>
/// Classical and deep denoisers on simulated cryo-EM particles over a range of SNRs, and the self-supervised ones on
/// real particles. Stages: the particle stacks (one per map), one blind model per deep method (trained on every SNR),
/// one scoring stage per (SNR, method) that also keeps the denoised particles for the panels, and per self-supervised
/// method two models trained on disjoint halves of the real particles.
/// </summary>
public sealed class DeepDenoisingStudy(DeepDenoisingOptions options) : IStudy
{
    StageKey ParticlesKey(string map, StudyContext context) =>
        new("particles", new { map = Path.GetFileName(map), options.Size, count = options.TrainParticles + options.TestParticles, context.Seed });

    StageKey ModelKey(string method, StudyContext context) => new("trained-denoiser", new
    {
        method, maps = options.Maps.Select(Path.GetFileName), options.Size, options.TrainParticles, TestStart, options.Snrs, options.LearningRateFloor, options.Depth, options.Width, options.Patch,
        options.GanPatch, options.Levels, options.PatchesPerEpoch, options.Epochs, options.BatchSize, context.Seed,
    });

    StageKey ScoresKey(double snr, string method, StudyContext context) => new("denoised-particles", new
    {
        snr, method, deep = options.Deep.Contains(method) ? ModelKey(method, context).Canonical : null,
        maps = options.Maps.Select(Path.GetFileName), options.Size, options.TestParticles, TestStart, context.Seed,
    });

    int TestStart => Math.Min(options.TestStart, options.TrainParticles);

    StageKey HalfSetKey(string method, StudyContext context) =>
        new("real-half-sets", new { method, real = Path.GetFileName(options.Real), options.Depth, options.Width, options.Patch, options.PatchesPerEpoch, options.RealEpochs, options.BatchSize, options.LearningRateFloor, context.Seed });

    IEnumerable<(double Snr, string Method)> ScoreCells() => options.Snrs.SelectMany(s => options.Classical.Concat(options.Deep).Select(m => (s, m)));

    public void Run(StudyContext context)
    {
        foreach (var method in options.Classical) DenoiserCatalog.Catalog.Get(method);
        var (train, test) = Particles(context);
        var examples = new PatchExamples(train, clean: true, options.Snrs, options.Patch);
        foreach (var method in context.MyCells(options.Deep))
            context.Stage(ModelKey(method, context), $"train {method}", () =>
                DenoiserTraining.Train(Training(method, options.Epochs), method == DenoiserMethods.Pix2Pix ? new PatchExamples(train, true, options.Snrs, options.GanPatch) : examples,
                    context.Stages.ArtifactFolder(ModelKey(method, context), method), context.Seed, context.Progress));
        foreach (var (snr, method) in context.MyCells(ScoreCells()))
            context.Stage(ScoresKey(snr, method, context), $"{method} at SNR {snr}", () => Score(snr, method, test, context));
        if (!string.IsNullOrEmpty(options.Real))
            foreach (var method in context.MyCells(options.RealMethods))
                context.Stage(HalfSetKey(method, context), $"{method} on real particles, two half-sets", () => HalfSets(method, context));
    }

    DenoiserTrainingOptions Training(string method, int epochs) => new()
    {
        Method = method, Snr = options.Snrs, Patch = method == DenoiserMethods.Pix2Pix ? options.GanPatch : options.Patch, PatchesPerEpoch = options.PatchesPerEpoch,
        Epochs = epochs, BatchSize = options.BatchSize, Depth = options.Depth, Width = options.Width, Levels = options.Levels,
        LearningRateFloor = options.LearningRateFloor,
    };

    /// <summary>
    /// Each map's particles, simulated once (particle i depends on the seed and i alone): the <c>TestParticles</c> from
    /// index <see cref="TestStart"/> test, the others train.
    /// </summary>
    (List<Plane> Train, List<Plane> Test) Particles(StudyContext context)
    {
        var train = new List<Plane>();
        var test = new List<Plane>();
        foreach (var map in options.Maps)
        {
            var path = context.ResolvePath(map);
            var key = ParticlesKey(path, context);
            var stack = context.Stage(key, $"simulate {Path.GetFileName(path)}", () =>
            {
                var output = Path.Combine(Directory.CreateDirectory(context.Stages.ArtifactFolder(key, "particles")).FullName, "clean.mrcs");
                ParticleSimulator.Run(path, output, context.Seed, new ParticleSimulationOptions { Count = options.TrainParticles + options.TestParticles, Size = options.Size });
                return output;
            });
            var (mapTrain, mapTest) = Split(ImageStackReader.Open(stack).ReadAll(), TestStart, options.TestParticles);
            train.AddRange(mapTrain);
            test.AddRange(mapTest);
        }
        return (train, test);
    }

    /// <summary>The <paramref name="testCount"/> items from <paramref name="testStart"/> test; all the others train.</summary>
    public static (List<T> Train, List<T> Test) Split<T>(IReadOnlyList<T> stack, int testStart, int testCount) =>
        ([.. stack.Where((_, i) => i < testStart || i >= testStart + testCount)], [.. stack.Skip(testStart).Take(testCount)]);

    /// <summary>Test particle i at an SNR: its own noise stream (seed, i, SNR), the same for every method.</summary>
    static Plane Noisy(Plane clean, double snr, long seed, int index)
    {
        var noisy = clean.Copy();
        NoiseModels.AddAtSnr(noisy.Pixels, snr, null, new RandomStream((ulong)seed, (ulong)index, BitConverter.DoubleToUInt64Bits(snr)));
        return noisy;
    }

    static double Variance(Plane plane)
    {
        double mean = plane.Pixels.Average(v => (double)v);
        return plane.Pixels.Average(v => (v - mean) * (v - mean));
    }

    ParticleScores Score(double snr, string method, List<Plane> test, StudyContext context)
    {
        using var denoiser = Denoiser(method, context);
        var noisy = test.Select((p, i) => Noisy(p, snr, context.Seed, i)).ToList();
        var clock = Stopwatch.StartNew();
        // The classical methods get the true noise sigma; the networks need none.
        var denoised = options.Deep.Contains(method) ? [.. denoiser.Value.Denoise(noisy, null)]
            : noisy.Select((p, i) => denoiser.Value.Denoise(p, Math.Sqrt(Variance(test[i]) / snr))).ToList();
        double seconds = clock.Elapsed.TotalSeconds / test.Count;
        var folder = Directory.CreateDirectory(context.Stages.ArtifactFolder(ScoresKey(snr, method, context), $"{method}-snr{snr}")).FullName;
        using (var writer = new MrcStackWriter(Path.Combine(folder, "denoised.mrcs"), options.Size, options.Size, 1f))
        {
            foreach (var plane in denoised) writer.Append(plane.Pixels);
            writer.Complete();
        }
        double Range(Plane p) => p.Pixels.Max() - p.Pixels.Min();
        return new ParticleScores(snr, method,
            [.. noisy.Select((p, i) => ImageQuality.Psnr(test[i], p, Range(test[i])))],
            [.. denoised.Select((p, i) => ImageQuality.Psnr(test[i], p, Range(test[i])))],
            [.. denoised.Select((p, i) => ImageQuality.Ssim(test[i], p, Range(test[i])))],
            [.. denoised.Select((p, i) => FrcResolution(ImageQuality.FourierRingCorrelation(test[i], p), options.Size))],
            seconds);
    }

    /// <summary>The first ring past the centre where the FRC falls below 0.5, in cycles per pixel (0.5: never).</summary>
    public static double FrcResolution(double[] frc, int size) => ImageQuality.FrcHalfRing(frc) is var ring and >= 0 ? (double)ring / size : 0.5;

    /// <summary>A classical denoiser, or the deep method's trained model (its stage must have run).</summary>
    OwnedDenoiser Denoiser(string method, StudyContext context)
    {
        if (!options.Deep.Contains(method)) return new OwnedDenoiser(DenoiserCatalog.Catalog.Create(method));
        var key = ModelKey(method, context);
        if (!context.IsFinished(key)) throw new DeepscopeException($"the {method} model is not trained yet (its stage runs in another shard?)");
        return new OwnedDenoiser(NetworkDenoiser.Load(new NetworkDenoiserOptions { Model = context.Stages.ArtifactFolder(key, method) }, method));
    }

    /// <summary>Two models on disjoint halves of the real particles; every particle denoised by both; FRC between the two outputs.</summary>
    HalfSetResult HalfSets(string method, StudyContext context)
    {
        var particles = ImageStackReader.Open(context.ResolvePath(options.Real)).ReadAll();
        if (particles.Count < 2) throw new DeepscopeException($"{options.Real}: the half-sets need at least 2 particles, found {particles.Count}");
        var key = HalfSetKey(method, context);
        var folder = Directory.CreateDirectory(context.Stages.ArtifactFolder(key, $"real-{method}")).FullName;
        double seconds = 0;
        var outputs = new List<IReadOnlyList<Plane>>();
        foreach (var half in new[] { 0, 1 })
        {
            var subset = particles.Where((_, i) => i % 2 == half).ToList();
            var run = Path.Combine(folder, $"half{half + 1}");
            var trained = DenoiserTraining.Train(Training(method, options.RealEpochs), new PatchExamples(subset, clean: false, [], options.Patch, options.Real), run, context.Seed + half, context.Progress);
            seconds += trained.TrainingSeconds;
            using var denoiser = NetworkDenoiser.Load(new NetworkDenoiserOptions { Model = run, Batch = 1 }, method);
            outputs.Add(denoiser.Denoise(particles, null));
        }
        var frcs = particles.Select((_, i) => ImageQuality.FourierRingCorrelation(outputs[0][i], outputs[1][i])).ToList();
        var mean = Enumerable.Range(0, frcs[0].Length).Select(r => frcs.Average(f => f[r])).ToArray();
        var stack = Path.Combine(folder, "denoised.mrcs");
        using (var writer = new MrcStackWriter(stack, particles[0].Height, particles[0].Width, 1f))
        {
            for (int i = 0; i < particles.Count; i++)
                writer.Append([.. outputs[0][i].Pixels.Zip(outputs[1][i].Pixels, (a, b) => (a + b) / 2)]);
            writer.Complete();
        }
        return new HalfSetResult(method, particles.Count, mean, FrcResolution(mean, particles[0].Width), seconds, Path.GetRelativePath(context.RunDirectory, stack));
    }

    public StudyReport Report(StudyContext context)
    {
        var test = new Lazy<List<Plane>>(() => Particles(context).Test);
        return DeepDenoisingReport.Build(options, context,
            ScoreCells().Select(c => context.Lookup<ParticleScores>(ScoresKey(c.Snr, c.Method, context))?.Value).OfType<ParticleScores>().ToList(),
            options.Deep.Select(m => context.Lookup<DenoiserNetwork>(ModelKey(m, context))?.Value).OfType<DenoiserNetwork>().ToList(),
            string.IsNullOrEmpty(options.Real) ? [] : options.RealMethods.Select(m => context.Lookup<HalfSetResult>(HalfSetKey(m, context))?.Value).OfType<HalfSetResult>().ToList(),
            new PanelSource(
                (snr, method) => Path.Combine(context.Stages.ArtifactFolder(ScoresKey(snr, method, context), $"{method}-snr{snr}"), "denoised.mrcs"),
                index => test.Value[index], (snr, index) => Noisy(test.Value[index], snr, context.Seed, index)));
    }
}
