using System.Text.Json;
using Deepscope.Experiments;
using Deepscope.Studies;
using Deepscope.Studies.Generalization;
using Deepscope.Tests.Studies;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Generalization;

[Collection(StudyCatalogCollection.Name)]
public class GeneralizationStudyTests
{
    [Fact]
    public void RegularizersParseAndPrint()
    {
        Assert.Equal(new Regularizer(true, true, false), Regularizer.Parse("crop+wd"));
        Assert.Equal("crop+wd+dropout", Regularizer.Parse("dropout+wd+crop").ToString());
        Assert.Equal(Regularizer.None, Regularizer.Parse("none"));
        Assert.Contains("'l2'", Assert.Throws<DeepscopeException>(() => Regularizer.Parse("crop+l2")).Message);
    }

    [Fact]
    public void DecayPerImagesGivesASubsetTheFullSetsLearningRatePerStep()
    {
        var perImages = new GeneralizationRuns(new GeneralizationOptions { LearningRateDecayImages = 50_000 });
        var perEpoch = new GeneralizationRuns(new GeneralizationOptions());
        const int batches = 79;  // 10,000 images in batches of 128
        // Five passes over 10,000 images are one pass over 50,000: one decay of 0.95, as on the full set.
        Assert.Equal(0.95, perImages.Schedule(10_000).Factor(5 * batches, 1000 * batches, batches), 12);
        Assert.Equal(Math.Pow(0.95, 0.2), perImages.Schedule(10_000).Factor(batches, 1000 * batches, batches), 12);
        Assert.Equal(Math.Pow(0.95, 5), perEpoch.Schedule(10_000).Factor(5 * batches, 1000 * batches, batches), 12);
        Assert.Equal(0.95, perImages.Schedule(50_000).Factor(391, 1000 * 391, 391), 12);
        Assert.NotEqual(perImages.Key(perImages.Cells().First(), 0).Hash, perEpoch.Key(perEpoch.Cells().First(), 0).Hash);
    }

    [Fact]
    public void StoredRunsKeepTheirKeysAndOnlyAWholeBudgetSweepGetsANewOne()
    {
        var options = new GeneralizationOptions
        {
            TrainSubset = 10_000, RandomizationModels = ["alexnet-small"], Randomizations = ["true-labels"], TableModels = [],
            SweepWidths = [], SweepResnetWidths = [], Epochs = 200, FitThreshold = 1.0, LearningRateDecayImages = 50_000,
        };
        var runs = new GeneralizationRuns(options);
        // The stage of true labels in the 10k runs of sessions 15 and 16: a changed key would retrain every stored run.
        Assert.Equal("56bfa944511f", runs.Key(runs.Cells().First(), 0).Hash);
        var wholeBudget = new GeneralizationRuns(options with { SweepWidths = [8], SweepStopAtFit = false });
        var stopping = new GeneralizationRuns(options with { SweepWidths = [8] });
        Assert.Equal(stopping.Key(stopping.Cells().First(), 0).Hash, wholeBudget.Key(wholeBudget.Cells().First(), 0).Hash);
        Assert.NotEqual(stopping.Key(stopping.Cells().Last(), 0).Hash, wholeBudget.Key(wholeBudget.Cells().Last(), 0).Hash);
    }

    [Fact]
    public void TheSweepWithoutBatchNormIsItsOwnFamilyAndLeavesTheStoredSweepKeys()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "experiments", "generalization-sweep-long.yaml");
        var options = (GeneralizationOptions)StudyFile.Load(path).Options;
        var withBatchNorm = new GeneralizationRuns(options);
        var without = new GeneralizationRuns(options with { SweepBatchNorm = false });
        var (first, firstWithout) = (withBatchNorm.Cells().First(), without.Cells().First());
        // Width 4 of session 18's run of this file: a changed key would retrain the stored sweep.
        Assert.Equal("c2aa574c8675", withBatchNorm.Key(first, 0).Hash);
        Assert.Equal(("width-cnn", "width-cnn-no-bn"), (first.Model, firstWithout.Model));
        Assert.NotEqual(withBatchNorm.Key(first, 0).Hash, without.Key(firstWithout, 0).Hash);
        string[] ResNetKeys(GeneralizationRuns runs) => [.. runs.Cells().Where(c => c.Model == "resnet18").Select(c => runs.Key(c, 0).Hash)];
        Assert.Equal(ResNetKeys(withBatchNorm), ResNetKeys(without));  // the ResNets keep batch norm and their runs
        Assert.NotEmpty(ResNetKeys(without));
    }

    [Theory]
    [InlineData("generalization.yaml", 27 + 25 + 15)]
    [InlineData("generalization-quick.yaml", 9 + 4 + 7)]
    [InlineData("generalization-alexnet-full.yaml", 1 + 5)]
    public void TheExperimentFilesDeclareTheGrid(string file, int runs)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "experiments", file);
        var plan = StudyFile.Load(path);
        Assert.Equal("generalization", plan.StudyName);
        var options = (GeneralizationOptions)plan.Options;
        var cells = new GeneralizationRuns(options).Cells().ToList();
        Assert.Equal(runs, cells.Count);
        Assert.Contains(cells, c => c.Randomization == "random-labels");  // each file fits random labels somewhere
    }

    [Fact]
    public void ASweepThatDoesNotStopAtFitTrainsItsWholeBudgetAndRemembersWhenItFitted()
    {
        var data = SharedData.Require("cifar10");
        using var dir = new TempDir();
        JsonElement SweepRun(bool stopAtFit)
        {
            var name = stopAtFit ? "stop" : "budget";
            File.WriteAllText(dir.File($"{name}.yaml"), $"""
                study: generalization
                seed: 3
                data_dir: {data}
                train_subset: 40
                test_subset: 50
                batch_size: 8
                randomization_models: []
                table_models: []
                sweep_widths: [16]
                sweep_resnet_widths: []
                sweep_epochs: 14
                sweep_learning_rate: 0.1
                sweep_stop_at_fit: {(stopAtFit ? "true" : "false")}
                fit_threshold: 0.5
                """);
            var run = dir.File(name);
            StudyHost.Run(StudyFile.Load(dir.File($"{name}.yaml")), new RunSettings(run, CacheDirectory: dir.File("cache"), Threads: 1));
            return JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "results.json"))).RootElement.EnumerateArray().Single();
        }
        var stopped = SweepRun(stopAtFit: true);
        var whole = SweepRun(stopAtFit: false);
        var stoppedEpochs = stopped.GetProperty("epochs").EnumerateArray().ToList();
        var wholeEpochs = whole.GetProperty("epochs").EnumerateArray().ToList();
        Assert.True(stoppedEpochs.Count < 14, "the network should fit 40 images to 50% within 14 epochs (it does at 10), or this test shows nothing");
        Assert.Equal(14, wholeEpochs.Count);
        // The same seed trains the same network: the stopped run is the first epochs of the whole one, and both fitted at the same step.
        Assert.Equal(stopped.GetProperty("steps_to_fit").GetInt64(), whole.GetProperty("steps_to_fit").GetInt64());
        Assert.Equal(stoppedEpochs.Select(e => e.GetProperty("train_loss").GetDouble()), wholeEpochs.Take(stoppedEpochs.Count).Select(e => e.GetProperty("train_loss").GetDouble()));
        // The analysis reads the sweep at the end of the budget and, from the history, at the epoch it fitted.
        var atFit = wholeEpochs[stoppedEpochs.Count - 1];
        Assert.Contains(FormattableString.Invariant($"At the epoch each of them first fitted (stopping there instead): test error {100 * (1 - atFit.GetProperty("test_accuracy").GetDouble()):F2}%"),
            File.ReadAllText(Path.Combine(dir.File("budget"), "report.md")));
    }

    [Fact]
    public void TheAnalysisNamesTheRunsWhoseTestLossTurnsUpWhileTheirTestErrorDoesNot()
    {
        // (test loss, test accuracy) per epoch; 100 steps per epoch.
        static RunSummary Run(int width, params (double Loss, double Accuracy)[] epochs) => new(
            new RunCell(RunGroup.Sweep, "resnet18", width, "true-labels", "none"), 1000 * width, 1000, 100,
            [.. epochs.Select((e, i) => new EpochPoint(i + 1, 100 * (i + 1), 0.1, 1.0, e.Loss, e.Accuracy, 500))], 100, 10);
        var overfitsInLoss = Run(8, (1.50, 0.50), (1.40, 0.55), (1.60, 0.56), (1.75, 0.555));   // +25%, error 45% -> 44.5%
        var errorRisesToo = Run(16, (1.50, 0.50), (1.40, 0.60), (1.80, 0.55));                  // +29%, but error 40% -> 45%
        var lossHolds = Run(32, (1.50, 0.50), (1.40, 0.60), (1.43, 0.61));                       // +2%
        var findings = GeneralizationAnalysis.Findings([overfitsInLoss, errorRisesToo, lossHolds], threshold: 1.0);
        Assert.Contains("In time: test cross-entropy turns up while test error does not in 1 of 3 runs (lowest test cross-entropy -> at the end, and test error over the same epochs): " +
            "resnet18 width 8: 1.400 at epoch 2 -> 1.750 at 4 (+25%), test error 45.00% -> 44.50%.", findings);
        Assert.Contains("In time: no run's test cross-entropy rose more than 5% above its lowest while its test error held (runs of three or more epochs: 1).",
            GeneralizationAnalysis.Findings([lossHolds], threshold: 1.0));
    }

    [Fact]
    public void TheStudyRunsEveryPartOnASmallSubsetAndReports()
    {
        var data = SharedData.Require("cifar10");
        using var dir = new TempDir();
        File.WriteAllText(dir.File("g.yaml"), $"""
            study: generalization
            seed: 1
            data_dir: {data}
            train_subset: 200
            test_subset: 100
            randomization_models: [mlp-1x512]
            randomizations: [true-labels, "labels:0.5", random-labels, gaussian]
            table_models: [mlp-1x512]
            regularizers: [wd, none]
            epochs: 3
            fit_threshold: 0.6
            sweep_widths: [2, 4]
            sweep_resnet_widths: [8]
            sweep_epochs: 1
            """);
        var plan = StudyFile.Load(dir.File("g.yaml"));
        var run = dir.File("run");
        StudyHost.Run(plan, new RunSettings(run, CacheDirectory: dir.File("cache"), Threads: 1));

        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "results.json"))).RootElement.EnumerateArray().ToList();
        // 4 randomisations + table (wd, none, random labels) + 3 sweep runs; two table runs share the randomisation runs' stages.
        Assert.Equal(10, results.Count);
        Assert.Equal(8, Directory.GetFiles(Path.Combine(run, "stages", "generalization-run"), "*.json").Length);
        foreach (var r in results)
        {
            var epochs = r.GetProperty("epochs").EnumerateArray().ToList();
            Assert.InRange(epochs.Count, 1, 3);
            Assert.Equal(r.GetProperty("steps_per_epoch").GetInt64() * epochs[^1].GetProperty("epoch").GetInt32(), epochs[^1].GetProperty("step").GetInt64());
            // Stopped early only at the fit threshold.
            var last = epochs[^1].GetProperty("train_accuracy").GetDouble();
            if (epochs.Count < (r.GetProperty("cell").GetProperty("group").GetString() == "sweep" ? 1 : 3)) Assert.True(last >= 0.6);
            long? firstFit = epochs.Where(e => e.GetProperty("train_accuracy").GetDouble() >= 0.6).Select(e => (long?)e.GetProperty("step").GetInt64()).FirstOrDefault();
            var stored = r.GetProperty("steps_to_fit");
            Assert.Equal(firstFit, stored.ValueKind == JsonValueKind.Null ? null : stored.GetInt64());
        }
        var mlp = results.First(r => r.GetProperty("cell").GetProperty("model").GetString() == "mlp-1x512");
        Assert.Equal(1_209_866, mlp.GetProperty("parameters").GetInt64());
        // Every run keeps its history and TensorBoard events.
        var folders = Directory.GetDirectories(Path.Combine(run, "stages", "generalization-run"));
        Assert.Equal(8, folders.Length);
        Assert.All(folders, f => Assert.True(File.Exists(Path.Combine(f, "history.json")) && Directory.Exists(Path.Combine(f, "tensorboard"))));
        foreach (var figure in new[] { "figure-1a-mlp-1x512.png", "figure-1b.png", "figure-1c.png", "complexity-sweep.png" })
            Assert.True(new FileInfo(Path.Combine(run, "figures", figure)).Length > 1000, figure);
        var markdown = File.ReadAllText(Path.Combine(run, "report.md"));
        Assert.Contains("Table 1", markdown);
        Assert.Contains("50.51", markdown);  // the paper's test accuracy for MLP 1x512 without regularisers, beside ours
        Assert.Contains("randomisation and table runs reached 60.00%", markdown);
        Assert.Contains("10 of 10 runs finished.", markdown);

        // A run whose stage is missing is named in the report, with its progress while its history is there (a run
        // killed after some epochs) and bare once it has none.
        File.Delete(Directory.GetFiles(Path.Combine(run, "stages", "generalization-run"), "*.json")
            .Single(f => File.ReadAllText(f).Contains("\"gaussian\"")));
        var gaussianHistory = Path.Combine(folders.Single(f => f.Contains("-gaussian-", StringComparison.Ordinal)), "history.json");
        var lastEpoch = JsonDocument.Parse(File.ReadAllText(gaussianHistory)).RootElement.EnumerateArray().Last();
        StudyHost.Report(run);
        Assert.Contains(FormattableString.Invariant($"9 of 10 runs finished (not yet: mlp-1x512, gaussian, none at epoch {lastEpoch.GetProperty("epoch").GetInt32()} of 3, {100 * lastEpoch.GetProperty("train_accuracy").GetDouble():F2}% training accuracy)."),
            File.ReadAllText(Path.Combine(run, "report.md")));
        File.WriteAllText(gaussianHistory, "[{\"epoch\": 1, ");  // cut short
        StudyHost.Report(run);
        Assert.Contains($"(not yet: mlp-1x512, gaussian, none (its {gaussianHistory} is unreadable)).", File.ReadAllText(Path.Combine(run, "report.md")));
        File.Delete(gaussianHistory);
        StudyHost.Report(run);
        Assert.Contains("9 of 10 runs finished (not yet: mlp-1x512, gaussian, none).", File.ReadAllText(Path.Combine(run, "report.md")));
    }
}
