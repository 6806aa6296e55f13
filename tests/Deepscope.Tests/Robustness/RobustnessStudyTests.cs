using System.Text.Json;
using Deepscope.Experiments;
using Deepscope.Robustness;
using Deepscope.Studies;
using Deepscope.Tests.Support;
using Deepscope.Tests.Training;

namespace Deepscope.Tests.Robustness;

/// <summary>The robustness study end to end on a sliver of MNIST (seconds), and its paper-scale targets (Long: hours).</summary>
public class RobustnessStudyTests : IClassFixture<SingleThreaded>
{
    [Fact]
    public void TheStudyRunsAndReportsEveryVariant()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        File.WriteAllText(dir.File("tiny.yaml"), """
            study: robustness
            name: tiny
            seed: 1
            dataset: mnist
            variants: [plain, parseval, dcf, adversarial]
            epochs: 1
            train_limit: 256
            test_limit: 64
            attacks: [fgsm, pgd]
            epsilons: [0, 0.3]
            pgd_steps: 2
            pgd_step_size: 0.15
            attack_images: 16
            noise_norms: [0, 4]
            noise_images: 64
            """);
        StudyHost.Run(StudyFile.Load(dir.File("tiny.yaml")), new RunSettings(dir.File("run"), data, dir.File("cache"), AllowDownload: false));
        using var results = JsonDocument.Parse(File.ReadAllText(dir.File("run/results.json")));
        var variants = results.RootElement.EnumerateArray().ToList();
        Assert.Equal(["plain", "parseval", "dcf", "adversarial"], variants.Select(v => v.GetProperty("variant").GetString()));
        foreach (var v in variants)
        {
            double clean = v.GetProperty("clean_accuracy").GetDouble();
            foreach (var attack in v.GetProperty("attacks").EnumerateArray())
            {
                var robust = attack.GetProperty("robust_accuracy").EnumerateArray().Select(a => a.GetDouble()).ToArray();
                Assert.Equal(2, robust.Length);
                Assert.True(robust[1] <= robust[0], $"{v.GetProperty("variant")}: a larger eps raised accuracy {robust[0]} -> {robust[1]}");
            }
            var noise = v.GetProperty("noise").EnumerateArray().ToList();
            Assert.Equal(2, noise.Count);
            Assert.True(v.GetProperty("lipschitz_bound").GetDouble() > 0);
            Assert.InRange(clean, 0, 1);
        }
        Assert.StartsWith("adversarial pgd-linf eps=0.3 alpha=0.375 steps=1 random-start", variants[3].GetProperty("training").GetString());
        var report = File.ReadAllText(dir.File("run/report.md"));
        Assert.Contains("accuracy-vs-eps-pgd.png", report);
        Assert.True(File.Exists(dir.File("run/figures/accuracy-vs-noise.png")));
    }

    /// <summary>
    /// experiments/robustness-mnist.yaml in full: the plain Madry CNN falls to <= 2% under PGD-40 at eps 0.3, the
    /// PGD-40 adversarially trained one keeps >= 85% (Madry et al.: 92.5% under PGD-100) with >= 97% clean. Many hours
    /// on 2 cores (the adversarial variant takes 41 passes per image); not run in session 6.
    /// </summary>
    [Fact]
    [Trait(Category.Name, Category.Long)]
    public void MadryMnistTargets()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        StudyHost.Run(StudyFile.Load(RepoPath("experiments/robustness-mnist.yaml")), new RunSettings(dir.File("run"), data, dir.File("cache"), AllowDownload: false, Threads: 1));
        using var results = JsonDocument.Parse(File.ReadAllText(dir.File("run/results.json")));
        double PgdAt03(string variant) => results.RootElement.EnumerateArray().First(v => v.GetProperty("variant").GetString() == variant)
            .GetProperty("attacks").EnumerateArray().First(a => a.GetProperty("attack").GetString()!.StartsWith("pgd")).GetProperty("robust_accuracy").EnumerateArray().Last().GetDouble();
        Assert.True(PgdAt03("plain") <= 0.02, $"plain: {PgdAt03("plain"):P2} under PGD-40 at eps 0.3");
        Assert.True(PgdAt03("adversarial") >= 0.85, $"adversarial: {PgdAt03("adversarial"):P2} under PGD-40 at eps 0.3");
        double clean = results.RootElement.EnumerateArray().First(v => v.GetProperty("variant").GetString() == "adversarial").GetProperty("clean_accuracy").GetDouble();
        Assert.True(clean >= 0.97, $"adversarial clean accuracy {clean:P2}");
    }

    /// <summary>
    /// The issue's first target, as measured in docs/robustness.md: LeNet trained naturally (3 epochs, Adam) keeps
    /// &lt;= 2% of the first 1000 MNIST test images under PGD-40 (eps 0.3, step 0.01, random start). Passed in 6 minutes on a
    /// lightly loaded 2-core machine (session 6).
    /// </summary>
    [Fact]
    [Trait(Category.Name, Category.Long)]
    public void NaturallyTrainedMnistCnnFallsUnderPgd40()
    {
        var data = SharedData.Require("mnist");
        var spec = Deepscope.Data.Datasets.Get("mnist");
        var store = new Deepscope.Data.DatasetStore(data, allowDownload: false);
        using var train = store.Load(spec, Deepscope.Data.Split.Train);
        using var testAll = store.Load(spec, Deepscope.Data.Split.Test);
        using var test = testAll.Take(1000);
        var fit = Deepscope.Training.Examples.From(train);
        var setup = Deepscope.Training.ClassifierSetup.Build(Deepscope.Models.ModelZoo.Get("lenet"), fit, 28, seed: 1);
        var options = Deepscope.Training.ClassifierTraining.Defaults(Deepscope.Training.OptimizerKind.Adam) with { Epochs = 3, Seed = 1 };
        setup.Fit(new Deepscope.Training.Trainer(options), fit, Deepscope.Training.Examples.From(test));
        var pixelModel = new PixelSpaceClassifier(setup.Model, setup.Transform);
        using var pixels = setup.Transform.ToUnitFloat(test.Images);
        using var result = AttackRunner.Run(pixelModel, new Pgd(0.3, 0.01, 40), pixels, test.Labels, seed: 1);
        Assert.True(result.CleanAccuracy >= 0.98, $"clean accuracy {result.CleanAccuracy:P2}");
        Assert.True(result.RobustAccuracy <= 0.02, $"PGD-40 leaves {result.RobustAccuracy:P2}");
    }

    static string RepoPath(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Deepscope.slnx"))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException(relative);
    }
}
