using Deepscope.Catalogs;
using Deepscope.Data;
using Deepscope.Features;
using Deepscope.Learners;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Catalogs;

/// <summary><c>deepscope list</c> and the catalogs of datasets and feature extractors.</summary>
public class CatalogListingTests
{
    static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void List_shows_the_kinds_with_their_counts()
    {
        var (exit, stdout, _) = CliRunner.Run("list");
        Assert.Equal(0, exit);
        foreach (var kind in ComponentKinds.All)
            Assert.Contains(Lines(stdout), l => l.TrimStart().StartsWith(kind.Name + " ", StringComparison.Ordinal) && l.EndsWith($"({kind.Entries.Count()})"));
    }

    [Fact]
    public void List_learners_with_params_shows_every_learner_and_every_parameter()
    {
        var (exit, stdout, _) = CliRunner.Run("list", "learners", "--params");
        Assert.Equal(0, exit);
        var lines = Lines(stdout);
        foreach (var entry in LearnerCatalog.Catalog)
        {
            int at = Array.FindIndex(lines, l => l.StartsWith(entry.Name + " ", StringComparison.Ordinal));
            Assert.True(at >= 0, $"{entry.Name} missing from:\n{stdout}");
            Assert.Contains(entry.Description, lines[at]);
            // Its parameters follow it, indented, in declaration order.
            Assert.Equal(entry.Parameters.Select(p => p.Name), lines.Skip(at + 1).Take(entry.Parameters.Count).Select(l => l.Trim().Split(' ')[0]));
        }
        Assert.Contains(lines, l => l.Trim().StartsWith("gamma ") && l.Contains("number, default scale; or scale / auto"));
    }

    [Fact]
    public void List_one_component_shows_types_defaults_choices_and_ranges()
    {
        var (exit, stdout, _) = CliRunner.Run("list", "learners", "rf");
        Assert.Equal(0, exit);
        var lines = Lines(stdout);
        Assert.StartsWith("rf ", lines[0]);
        Assert.Equal(9, lines.Length);
        Assert.Contains(lines, l => l.Trim() == "max_features       integer, default sqrt; or sqrt; >= 1: candidate features per split: sqrt or a count");
        Assert.Contains(lines, l => l.Trim().StartsWith("bootstrap") && l.Contains("boolean, default true"));
        var (code, _, stderr) = CliRunner.Run("list", "learners", "svm");
        Assert.Equal(1, code);
        Assert.Contains("no learners named 'svm' (known: lda,", stderr);
        (code, _, stderr) = CliRunner.Run("list", "optimizers");
        Assert.Equal(1, code);
        Assert.Contains("unknown kind 'optimizers' (known: learners, models, extractors, embedders, datasets, studies, generators, denoisers)", stderr);
    }

    [Fact]
    public void Help_texts_read_the_catalogs()
    {
        var (_, classify, _) = CliRunner.Run("classify", "--help");
        Assert.Contains(string.Join(", ", LearnerCatalog.Names), classify);
        var (_, embed, _) = CliRunner.Run("embed", "--help");
        Assert.Contains(string.Join(", ", Deepscope.Embedding.Embedders.Names), embed);
    }

    [Fact]
    public void Datasets_list_classes_sizes_and_source()
    {
        Assert.Equal("10 classes, 60,000 train + 10,000 test images of 1x28x28; source http://yann.lecun.com/exdb/mnist/", Datasets.Catalog.Get("mnist").Facts);
        Assert.Equal("100 classes, 50,000 train + 10,000 test images of 3x32x32; source https://www.cs.toronto.edu/~kriz/", Datasets.Catalog.Get("cifar100").Facts);
        var options = (DatasetOptions)Datasets.Catalog.Get("kmnist").Bind(new Dictionary<string, string> { ["train_subset"] = "500" });
        Assert.Equal(500, options.TrainSubset);
        Assert.Null(options.TestSubset);
        Assert.Same(Datasets.Get("cifar10"), Datasets.Catalog.Create("cifar10"));
    }

    [Fact]
    public void Extractor_options_are_checked_when_bound()
    {
        var scattering = (ScatteringExtractor)FeatureExtractors.Catalog.Create("scattering", new Dictionary<string, string> { ["J"] = "3", ["max_order"] = "1" });
        Assert.Equal(new ScatteringSettings(3, 8, 1), scattering.Settings);
        Assert.Equal("scattering: parameter 'J' must be between 1 and 8; got 9",
            Assert.Throws<DeepscopeException>(() => FeatureExtractors.Catalog.Create("scattering", new Dictionary<string, string> { ["J"] = "9" })).Message);
        Assert.Contains("cnn needs 'weights'", Assert.Throws<DeepscopeException>(() => FeatureExtractors.Catalog.Create("cnn")).Message);
        var cnn = (CnnExtractor)FeatureExtractors.Catalog.Create("cnn", new Dictionary<string, string> { ["model"] = "vgg16", ["weights"] = "w.pth", ["layer"] = "classifier.4", ["resize"] = "64", ["bf16"] = "true" });
        var features = cnn.Options.ToFeatureOptions();
        Assert.Equal(("vgg16", "classifier.4", 64, true), (features.Model, features.Layers.Single(), features.Preprocessing.Resize, features.BFloat16));
    }
}
