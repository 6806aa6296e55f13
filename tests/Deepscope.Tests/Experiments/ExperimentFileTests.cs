using System.Diagnostics;
using System.Text.Json;
using Deepscope.Data;
using Deepscope.Experiments;
using Deepscope.Studies.FeatureComparison;
using Deepscope.Models;
using Deepscope.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Deepscope.Tests.Experiments;

[Collection(Deepscope.Tests.Studies.StudyCatalogCollection.Name)]
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
        {
            var plan = StudyFile.Load(file);
            if (plan.Options is FeatureComparisonOptions options) Assert.NotEmpty(options.Features);
            else Assert.NotNull(plan.CreateStudy()); // other studies' files bind to their options
        }
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
    public void TheSchemaFileIsTheOneTheCatalogsWrite() =>
        Assert.True(ExperimentSchema.Text() == File.ReadAllText(RepoFile("experiments/experiment.schema.json")),
            "experiments/experiment.schema.json is stale: regenerate it with 'deepscope schema -o experiments/experiment.schema.json'");

    [Fact]
    public void SchemaListsWhatTheLoaderAccepts()
    {
        using var schema = JsonDocument.Parse(ExperimentSchema.Text());
        var properties = schema.RootElement.GetProperty("$defs").GetProperty("feature-comparison").GetProperty("properties");
        static string[] Enum(JsonElement e) => e.GetProperty("enum").EnumerateArray().Select(v => v.ToString()).ToArray();
        static string[] Listed(JsonElement list) => Enum(list.GetProperty("items").GetProperty("oneOf")[0]);
        Assert.Equal(Datasets.Names, Listed(properties.GetProperty("datasets")));
        Assert.Equal(Deepscope.Learners.LearnerCatalog.Catalog.Names, Listed(properties.GetProperty("learners")));
        Assert.Equal(Deepscope.Features.FeatureExtractors.Catalog.Names, Listed(properties.GetProperty("features")));
        Assert.Equal(Deepscope.Embedding.Embedders.Names, Enum(properties.GetProperty("embeddings").GetProperty("properties").GetProperty("methods").GetProperty("items")));
        var finetune = properties.GetProperty("finetune").GetProperty("properties");
        Assert.Equal(ModelZoo.Names, Enum(finetune.GetProperty("model")));
        Assert.Equal(FeatureComparisonFile.FinetuneModes, Enum(finetune.GetProperty("mode")));
        // A learner's parameters with their defaults and ranges, each also a grid of candidates.
        var svm = properties.GetProperty("learners").GetProperty("items").GetProperty("oneOf").EnumerateArray()
            .Single(o => o.TryGetProperty("required", out var r) && r[0].GetString() == "svm-rbf")
            .GetProperty("properties").GetProperty("svm-rbf").GetProperty("properties");
        Assert.Equal(1.0, svm.GetProperty("C").GetProperty("anyOf")[0].GetProperty("default").GetDouble());
        Assert.Equal("array", svm.GetProperty("C").GetProperty("anyOf")[1].GetProperty("type").GetString());
        Assert.Equal(Deepscope.Studies.StudyCatalog.Catalog.Names, Enum(schema.RootElement.GetProperty("properties").GetProperty("study")));
    }

    /// <summary>Each example file, and no file with a typo, passes a real JSON Schema validator (python3-jsonschema, Draft 2020-12).</summary>
    [Fact]
    public void ExampleFilesValidateAgainstTheSchemaAndTyposDoNot()
    {
        if (!File.Exists("/usr/bin/python3")) Assert.Skip("/usr/bin/python3 not available");
        using var dir = new TempDir();
        var files = Directory.GetFiles(RepoFile("experiments"), "*.yaml").ToList();
        File.WriteAllText(dir.File("typo.yaml"), "datasets: [mnist]\nfeatures: [pixels, {scattering: {J: 9}}]\nlearners: [{svm-rbf: {gama: 2}}]\nseeed: 3\n");
        files.Add(dir.File("typo.yaml"));
        var documents = files.Select(f => { var yaml = new YamlStream(); using var reader = new StreamReader(f); yaml.Load(reader); return Json(yaml.Documents[0].RootNode); });
        File.WriteAllText(dir.File("documents.json"), new System.Text.Json.Nodes.JsonArray([.. documents]).ToJsonString());
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-c", """
            import json, sys
            try:
                import jsonschema
            except ImportError:
                print("skip"); sys.exit(0)
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema)
            for doc in json.load(open(sys.argv[2])):
                print("valid" if validator.is_valid(doc) else "invalid")
            """, RepoFile("experiments/experiment.schema.json"), dir.File("documents.json") }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var verdicts = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();
        if (verdicts is ["skip"]) Assert.Skip("python3-jsonschema not installed (it comes with python3-nbformat)");
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
        Assert.Equal([.. Enumerable.Repeat("valid", files.Count - 1), "invalid"], verdicts);
    }

    /// <summary>A YAML node as JSON, scalars typed as YAML 1.2's core schema reads them (what editors validate).</summary>
    static System.Text.Json.Nodes.JsonNode? Json(YamlNode node) => node switch
    {
        YamlMappingNode map => new System.Text.Json.Nodes.JsonObject(map.Children.Select(p =>
            KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, Json(p.Value)))),
        YamlSequenceNode seq => new System.Text.Json.Nodes.JsonArray([.. seq.Children.Select(Json)]),
        YamlScalarNode { Style: not YamlDotNet.Core.ScalarStyle.Plain } s => s.Value,
        YamlScalarNode { Value: "true" or "false" } s => bool.Parse(s.Value!),
        YamlScalarNode { Value: null or "" or "~" or "null" } => null,
        YamlScalarNode s when long.TryParse(s.Value, out var l) => l,
        YamlScalarNode s when double.TryParse(s.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
        YamlScalarNode s => s.Value,
        _ => throw new InvalidOperationException(node.GetType().Name),
    };

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
    [InlineData("datasets: [mnist]\nfeatures:\n  - scattering: {J: 0}\nlearners: [lda]\n", "line 3, column 21: features.scattering: parameter 'J' must be between 1 and 8; got 0")]
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
