using System.Text.Json;
using Deepscope.Experiments;
using Deepscope.Studies;
using Deepscope.Studies.DeepDenoising;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Studies.DeepDenoising;

public class DeepDenoisingStudyTests
{
    [Fact]
    public void Scores_every_method_at_every_SNR_and_reports_real_particles_by_half_set_FRC()
    {
        var data = SharedData.Require("cryoem/cryodrgn-testdata/empiar_10076_7.mrc");
        using var dir = new TempDir();
        File.WriteAllText(dir.File("e.yaml"), $"""
            study: deep-denoising
            name: tiny-deep-denoising
            maps: [{Path.Combine(data, "cryoem/mrcfile-testdata/EMD-3001.map")}]
            size: 64
            train_particles: 12
            test_particles: 2
            snrs: [1, 0.1]
            classical: [gaussian]
            deep: [dncnn, noise2noise, noise2void, pix2pix]
            depth: 4
            width: 8
            patch: 24
            gan_patch: 32
            levels: 2
            patches_per_epoch: 32
            epochs: 1
            batch_size: 8
            real: {Path.Combine(data, "cryoem/cryodrgn-testdata/empiar_10076_7.mrc")}
            real_epochs: 1
            """);
        var report = StudyHost.Run(StudyFile.Load(dir.File("e.yaml")), new RunSettings(dir.File("run"), data, dir.File("cache")));
        var results = JsonDocument.Parse(File.ReadAllText(dir.File("run/results.json"))).RootElement;
        var scores = results.GetProperty("scores").EnumerateArray().ToList();
        Assert.Equal(10, scores.Count);
        double NoisyPsnr(double snr) => scores.First(s => s.GetProperty("snr").GetDouble() == snr).GetProperty("noisy_psnr").EnumerateArray().Average(v => v.GetDouble());
        // Noise variance = signal variance / SNR: ten times the SNR is 10 dB of input PSNR (up to the noise's sample variance).
        Assert.Equal(10, NoisyPsnr(1) - NoisyPsnr(0.1), 0.3);
        var gaussian = scores.First(s => s.GetProperty("method").GetString() == "gaussian" && s.GetProperty("snr").GetDouble() == 0.1);
        Assert.True(gaussian.GetProperty("psnr").EnumerateArray().Average(v => v.GetDouble()) > NoisyPsnr(0.1) + 3);
        Assert.All(scores, s => Assert.All(s.GetProperty("frc_resolution").EnumerateArray(), v => Assert.InRange(v.GetDouble(), 0, 0.5)));
        Assert.Equal(4, results.GetProperty("models").GetArrayLength());
        var real = results.GetProperty("real").EnumerateArray().Single();
        Assert.Equal(7, real.GetProperty("particles").GetInt32());
        Assert.Equal(160, real.GetProperty("frc").GetArrayLength());  // 320x320 particles: rings 0 .. 159
        Assert.True(File.Exists(Path.Combine(dir.File("run"), real.GetProperty("stack").GetString()!)));
        foreach (var figure in new[] { "psnr-vs-snr.png", "panels.png", "real-noise2void.png" })
            Assert.True(File.Exists(Path.Combine(dir.File("run"), "figures", figure)), figure);
        Assert.Contains("Real particles (no clean reference)", File.ReadAllText(report));
    }

    [Fact]
    public void Test_particles_stay_the_same_when_the_training_set_grows()
    {
        // Particle i of a simulated stack depends on the seed and i alone, so a longer stack holds the shorter one's test
        // particles at the same indices; only the training set grows (the SNR-0.1 run trains on 2,000 instead of 200).
        var (train, test) = DeepDenoisingStudy.Split(Enumerable.Range(0, 206).ToList(), 200, 6);
        var (moreTrain, sameTest) = DeepDenoisingStudy.Split(Enumerable.Range(0, 2006).ToList(), 200, 6);
        Assert.Equal([200, 201, 202, 203, 204, 205], test);
        Assert.Equal(test, sameTest);
        Assert.Equal(Enumerable.Range(0, 200), train);
        Assert.Equal(2000, moreTrain.Count);
        Assert.DoesNotContain(moreTrain, test.Contains);
    }
}
