using System.Globalization;
using System.Text.Json;
using Deepscope.Experiments;
using Deepscope.Studies;
using Deepscope.Studies.Inspection;
using Deepscope.Data.Generators;
using Deepscope.Tests.Studies;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Inspection;

/// <summary>The inspection study and commands end to end on tiny synthetic data (a LeNet, one epoch: values are not the point here).</summary>
[Collection(StudyCatalogCollection.Name)]
public sealed class InspectionStudyTests
{
    internal static string Generate(TempDir dir, int count)
    {
        var data = dir.File("data");
        DatasetGeneration.Generate(new SemiconductorGenerator(new SemiconductorOptions { Count = count, ImageSize = 40, BadFraction = 0.4 }), data, seed: 1);
        return data;
    }

    /// <summary>Rows of a CSV read as a CSV reader would: header, then cells per line, no blank lines.</summary>
    static List<string[]> ReadCsv(string path)
    {
        var lines = File.ReadAllText(path).Split('\n');
        Assert.Equal("", lines[^1]);
        return [.. lines[..^1].Select(l => l.Split(','))];
    }

    [Fact]
    public void Train_then_predict_writes_one_submission_row_per_test_image_that_round_trips()
    {
        using var dir = new TempDir();
        var data = Generate(dir, 60);
        var train = CliRunner.Run("inspect", "train", "--data", Path.Combine(data, "train"), "--output", dir.File("run"), "--model", "lenet",
            "--image-size", "32", "--epochs", "1", "--batch-size", "8", "--augment", "none", "--imbalance", "sampling", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.Err + train.Out);
        Assert.Contains("best validation AUC", train.Out);
        var submission = dir.File("out/submission.csv");
        var predict = CliRunner.Run("inspect", "predict", "--run", dir.File("run"), "--input", Path.Combine(data, "test"), "--output", submission);
        Assert.True(predict.ExitCode == 0, predict.Err + predict.Out);

        var rows = ReadCsv(submission);
        Assert.Equal(["id", "label"], rows[0]);
        var ids = Directory.GetFiles(Path.Combine(data, "test")).Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ids, rows.Skip(1).Select(r => r[0]));
        foreach (var row in rows.Skip(1)) Assert.InRange(double.Parse(row[1], CultureInfo.InvariantCulture), 0, 1);
        Assert.Equal([submission], Directory.GetFiles(dir.File("out")));  // written atomically: no temporary left

        // Pretrained weights (here the first run's PyTorch state dict) fine-tune the body under a new head.
        var fineTuned = CliRunner.Run("inspect", "train", "--data", Path.Combine(data, "train"), "--output", dir.File("run2"), "--model", "lenet",
            "--weights", dir.File("run/model.pth"), "--image-size", "32", "--epochs", "1", "--batch-size", "8", "--augment", "none", "--threads", "1");
        Assert.True(fineTuned.ExitCode == 0, fineTuned.Err + fineTuned.Out);

        var missing = CliRunner.Run("inspect", "predict", "--run", dir.File("nowhere"), "--input", Path.Combine(data, "test"), "--output", submission);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not an inspection run", missing.Err);
    }

    [Fact]
    public void Study_scores_every_method_with_an_interval_draws_its_figures_and_writes_the_submission()
    {
        using var dir = new TempDir();
        var data = Generate(dir, 100);
        File.WriteAllText(dir.File("inspect.yaml"), $"""
            study: inspection
            seed: 1
            data: {Path.Combine(data, "train")}
            test: {Path.Combine(data, "test")}
            test_labels: {Path.Combine(data, "test_labels.csv")}
            model: lenet
            image_size: 32
            epochs: 1
            batch_size: 8
            augment: none
            validation: 0.2
            learner: logreg
            autoencoder_epochs: 1
            embedding: pca
            bootstrap: 50
            shown: 4
            """);
        StudyHost.Run(StudyFile.Load(dir.File("inspect.yaml")), new RunSettings(dir.File("run"), CacheDirectory: dir.File("cache"), Threads: 1));

        using var results = JsonDocument.Parse(File.ReadAllText(dir.File("run/results.json")));
        var root = results.RootElement;
        Assert.Equal("test", root.GetProperty("evaluated_on").GetString());
        Assert.Equal(10, root.GetProperty("images").GetInt32());
        var methods = root.GetProperty("methods").EnumerateArray().ToList();
        Assert.Equal(5, methods.Count);  // the CNN, the learner, three outlier scores
        foreach (var m in methods)
        {
            double auc = m.GetProperty("auc").GetDouble();
            Assert.InRange(auc, 0, 1);
            Assert.InRange(auc, m.GetProperty("auc_low").GetDouble() - 1e-12, m.GetProperty("auc_high").GetDouble() + 1e-12);
        }
        var rows = ReadCsv(dir.File("run/submission.csv"));
        Assert.Equal(11, rows.Count);
        foreach (var figure in new[] { "curves.png", "worst.png", "embedding-pca.png" }) Assert.True(File.Exists(dir.File($"run/figures/{figure}")), figure);
        Assert.Contains("Confusion matrix", File.ReadAllText(dir.File("run/report.md")));
    }

    [Fact]
    public void With_folds_and_no_test_labels_each_fold_trains_a_model_and_the_first_folds_validation_images_are_evaluated()
    {
        using var dir = new TempDir();
        var data = Generate(dir, 60);
        File.WriteAllText(dir.File("folds.yaml"), $"""
            study: inspection
            data: {Path.Combine(data, "train")}
            test: {Path.Combine(data, "test")}
            model: lenet
            image_size: 32
            epochs: 1
            batch_size: 8
            augment: none
            folds: 3
            learner: none
            outliers: [mahalanobis]
            embedding: none
            bootstrap: 20
            shown: 0
            """);
        StudyHost.Run(StudyFile.Load(dir.File("folds.yaml")), new RunSettings(dir.File("run"), CacheDirectory: dir.File("cache"), Threads: 1));
        using var results = JsonDocument.Parse(File.ReadAllText(dir.File("run/results.json")));
        var root = results.RootElement;
        Assert.Equal("validation", root.GetProperty("evaluated_on").GetString());
        Assert.Equal(18, root.GetProperty("images").GetInt32());  // a third of the 54 training images
        Assert.Equal(3, root.GetProperty("validation_aucs").GetArrayLength());
        Assert.Equal(2, root.GetProperty("methods").GetArrayLength());
        Assert.Equal(7, ReadCsv(dir.File("run/submission.csv")).Count);  // header and the 6 test images
    }

    internal static string RepoFile(string relative) => Experiments.ExperimentFileTests.RepoFile(relative);

    [Fact]
    public void Both_experiment_files_bind_to_the_inspection_study()
    {
        var synthetic = StudyFile.Load(RepoFile("experiments/nexperia-synthetic.yaml"));
        var options = (InspectionOptions)synthetic.Options;
        Assert.Equal("inspection", synthetic.StudyName);
        Assert.Equal(("resnet18-cntk", 112, 4, "bad_1"), (options.Model, options.ImageSize, options.Epochs, options.PositiveClass));
        Assert.Equal(["mahalanobis", "knn", "autoencoder"], options.Outliers);
        var contest = (InspectionOptions)StudyFile.Load(RepoFile("experiments/nexperia.yaml")).Options;
        Assert.Equal((5, 224, ImbalanceHandling.Weights), (contest.Folds, contest.ImageSize, contest.Imbalance));
        Assert.EndsWith("resnet18-f37072fd.pth", contest.Weights);
    }
}
