using Deepscope.Experiments;
using Deepscope.Tests.Support;

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
        var config = ExperimentFile.Load(RepoFile("experiments/quickstart.yaml"));
        Assert.Equal("quickstart", config.Name);
        Assert.Equal(new DatasetSelection("mnist", 10000, 2000), config.Datasets.Single());
        Assert.Equal(["pixels", "scattering(J=2, L=8, max_order=2)"], config.Features.Select(f => f.Label));
        Assert.Equal(["pca", "tsne"], config.Embeddings!.Methods);
        Assert.Equal(["lda", "logreg", "svm-linear", "rf"], config.Learners.Select(l => l.Name));
    }

    [Fact]
    public void EveryExampleFileLoads()
    {
        foreach (var file in Directory.GetFiles(RepoFile("experiments"), "*.yaml"))
            Assert.NotEmpty(ExperimentFile.Load(file).Features);
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
    public void ErrorsNameTheFileLineAndProblem(string yaml, string expected)
    {
        using var dir = new TempDir();
        var error = Assert.Throws<InvalidDataFileException>(() => Write(dir, yaml));
        Assert.Equal(dir.File("e.yaml"), error.FilePath);
        Assert.Contains(expected, error.Message);
    }

    static ExperimentConfig Write(TempDir dir, string yaml)
    {
        File.WriteAllText(dir.File("e.yaml"), yaml);
        return ExperimentFile.Load(dir.File("e.yaml"));
    }
}
