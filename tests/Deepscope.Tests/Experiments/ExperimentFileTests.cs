using System.Text.Json;
using Deepscope.Data;
using Deepscope.Experiments;
using Deepscope.Studies.FeatureComparison;
using Deepscope.Models;
using Deepscope.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Deepscope.Tests.Experiments;

public class ExperimentFileTests
{
    static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Deepscope.slnx"))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException(relative);
    }

    [Fact]
    public void QuickstartDeclaresTheSeedPipeline()
    {
        var plan = StudyFile.Load(RepoFile("experiments/quickstart.yaml"));
        var config = (FeatureComparisonOptions)plan.Options;
        Assert.Equal("quickstart", plan.Name);
        Assert.Equal("feature-comparison", plan.StudyName);
        Assert.Equal(new DatasetSelection("mnist", 10000, 2000), config.Datasets.Single());
        Assert.Equal(["pixels", "scattering(J=2, L=8, max_order=2)"], config.Features.Select(f => f.Label));
        Assert.Equal(["pca", "tsne"], config.Embeddings!.Methods);
        Assert.Equal(["lda", "logreg", "svm-linear", "rf"], config.Learners.Select(l => l.Name));
    }

    [Fact]
    public void EveryExampleFileLoads()
    {
        foreach (var file in Directory.GetFiles(RepoFile("experiments"), "*.yaml"))
            Assert.NotEmpty(Options(file).Features);
    }

    [Theory]
    [InlineData("mnist.yaml", "mnist")]
    [InlineData("fashion-mnist.yaml", "fashion-mnist")]
    [InlineData("cifar10.yaml", "cifar10")]
    public void ExampleFilesDeclareTheSeedPipeline(string file, string dataset)
    {
        var config = Options(RepoFile($"experiments/{file}"));
        Assert.Equal(dataset, config.Datasets.Single().Name);
        Assert.Equal(["pixels", "scattering"], config.Features.Select(f => f.Kind).Distinct().Order());
        Assert.Contains("pca", config.Embeddings!.Methods);
        Assert.Contains("tsne", config.Embeddings.Methods);
        Assert.Superset(new HashSet<string> { "lda", "logreg", "svm-linear", "svm-rbf", "rf", "knn" }, config.Learners.Select(l => l.Name).ToHashSet());
        // Small grids searched by cross-validation, not fixed guesses.
        Assert.Contains(config.Learners, l => l.Grid.Values.Any(v => v.Count > 1));
        Assert.NotNull(config.Finetune);
    }

    [Fact]
    public void SchemaListsWhatTheLoaderAccepts()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(RepoFile("experiments/experiment.schema.json")));
        var properties = schema.RootElement.GetProperty("properties");
        var definitions = schema.RootElement.GetProperty("$defs");
        static string[] Enum(JsonElement e) => e.GetProperty("enum").EnumerateArray().Select(v => v.ToString()).ToArray();
        Assert.Equal(Datasets.Names, Enum(definitions.GetProperty("datasetName")));
        Assert.Equal(Deepscope.Learners.LearnerCatalog.Names, Enum(definitions.GetProperty("learnerName")));
        Assert.Equal(Deepscope.Embedding.Embedders.Names, Enum(properties.GetProperty("embeddings").GetProperty("properties").GetProperty("methods").GetProperty("items")));
        var finetune = properties.GetProperty("finetune").GetProperty("properties");
        Assert.Equal(ModelZoo.Names, Enum(finetune.GetProperty("model")));
        Assert.Equal(FeatureComparisonFile.FinetuneModes, Enum(finetune.GetProperty("mode")));
    }

    [Fact]
    public void ExampleFilesUseOnlyKeysTheSchemaDeclares()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(RepoFile("experiments/experiment.schema.json")));
        var properties = schema.RootElement.GetProperty("properties");
        foreach (var file in Directory.GetFiles(RepoFile("experiments"), "*.yaml"))
        {
            var yaml = new YamlStream();
            using (var reader = new StreamReader(file)) yaml.Load(reader);
            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            foreach (var (key, value) in root.Children)
            {
                var name = ((YamlScalarNode)key).Value!;
                Assert.True(properties.TryGetProperty(name, out var declared), $"{file}: '{name}' is not in the schema");
                // Nested settings (embeddings, finetune) are checked against the schema's own list too.
                if (value is YamlMappingNode map && declared.TryGetProperty("properties", out var nested))
                    foreach (var inner in map.Children.Keys.Cast<YamlScalarNode>())
                        Assert.True(nested.TryGetProperty(inner.Value!, out _), $"{file}: '{name}.{inner.Value}' is not in the schema");
            }
        }
    }

    [Fact]
    public void GridsAndSettingsAreRead()
    {
        using var dir = new TempDir();
        var config = Write(dir, """
            datasets: [cifar10]
            features:
              - cnn: {model: resnet18, weights: W.pth, layer: avgpool, resize: 224}
            learners:
              - svm-rbf: {C: [1, 10], gamma: scale}
            """);
        var learner = config.Learners.Single();
        Assert.Equal(["1", "10"], learner.Grid["C"]);
        Assert.Equal(["scale"], learner.Grid["gamma"]);
        Assert.Equal("W.pth", config.Features.Single().Settings["weights"]);
        Assert.Equal("224", config.Features.Single().Settings["resize"]);
    }

    [Theory]
    [InlineData("datasets: [mnist]\nfeatures: [pixels]\nlearners: [lda]\nseeed: 3\n", "line 4, column 1: unknown key 'seeed'")]
    [InlineData("datasets: [mnist]\nfeatures:\n  - scattering: {J: 0}\nlearners: [lda]\n", "line 3, column 21: 'features.scattering.J' must be between 1 and 8, got 0")]
    [InlineData("datasets: [mnist]\nfeatures:\n  - scattering: {J: 2, LL: 8}\nlearners: [lda]\n", "line 3, column 24: unknown key 'features.scattering.LL'")]
    [InlineData("datasets: [mnist]\nfeatures: [pixels]\nlearners: [lda, svm-poly]\n", "line 3, column 17: unknown learner 'svm-poly'")]
    [InlineData("datasets: [mnst]\nfeatures: [pixels]\nlearners: [lda]\n", "line 1, column 12: unknown dataset 'mnst'")]
    [InlineData("datasets: [mnist]\nfeatures: [pixels]\nlearners: [lda]\ncv: many\n", "line 4, column 5: 'cv' must be a whole number, got 'many'")]
    [InlineData("datasets: [mnist]\nfeatures: [pixels\n", "invalid YAML")]
    [InlineData("datasets: [mnist]\nfeatures: [pixels]\nlearners: [lda]\nfinetune: {model: resnet9}\n", "line 4, column 19: 'finetune.model' must be one of mlp, lenet,")]
    [InlineData("datasets: [mnist]\nfeatures: [pixels]\nlearners: [lda]\nfinetune: {model: lenet, mode: linear-probe}\n", "'finetune.mode: linear-probe' needs pretrained 'finetune.weights'")]
    public void ErrorsNameTheFileLineAndProblem(string yaml, string expected)
    {
        using var dir = new TempDir();
        var error = Assert.Throws<InvalidDataFileException>(() => Write(dir, yaml));
        Assert.Equal(dir.File("e.yaml"), error.FilePath);
        Assert.Contains(expected, error.Message);
    }

    static FeatureComparisonOptions Options(string file) => (FeatureComparisonOptions)StudyFile.Load(file).Options;

    static FeatureComparisonOptions Write(TempDir dir, string yaml)
    {
        File.WriteAllText(dir.File("e.yaml"), yaml);
        return Options(dir.File("e.yaml"));
    }
}
