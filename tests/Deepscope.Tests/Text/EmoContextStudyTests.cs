using System.Text.Json;
using Deepscope.Experiments;
using Deepscope.Studies;
using Deepscope.Studies.EmoContext;
using Deepscope.Tests.Support;
using Deepscope.Tests.Training;

namespace Deepscope.Tests.Text;

[Collection(Deepscope.Tests.Studies.StudyCatalogCollection.Name)]
public class EmoContextStudyTests : IClassFixture<SingleThreaded>
{
    [Fact]
    public void ComparesTheModelsInAReportWithScoresConfusionCurvesAndErrors()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("data"));
        TextCliTests.WriteDialogues(dir.File("data/train.txt"), 240, 0.5, seed: 3, crlf: true);
        TextCliTests.WriteDialogues(dir.File("data/dev.txt"), 100, 0.8, seed: 4, crlf: false);
        File.WriteAllText(dir.File("e.yaml"), """
            study: emocontext
            seed: 2
            data: data
            models: [tfidf-logreg, lstm-baseline]
            error_examples: 3
            training: {epochs: 8, batch_size: 16, embedding_size: 16, hidden: 16, context_hidden: 16, min_count: 1, turn_tokens: 8, learning_rate: 0.02}
            """);
        var plan = StudyFile.Load(dir.File("e.yaml"));
        Assert.Equal(["tfidf-logreg", "lstm-baseline"], ((EmoContextOptions)plan.Options).Models);
        var report = StudyHost.Run(plan, new RunSettings(dir.File("run"), CacheDirectory: dir.File("cache")));
        var text = File.ReadAllText(report);
        foreach (var expected in new[] { "Dev scores", "Per-class F1", "dev confusion matrix", "dev curves", "lstm-baseline" })
            Assert.Contains(expected, text);
        var results = JsonDocument.Parse(File.ReadAllText(dir.File("run/results.json"))).RootElement;
        foreach (var model in new[] { "tfidf-logreg", "lstm-baseline" })
            Assert.InRange(results.GetProperty(model).GetProperty("micro_f1").GetDouble(), 0.5, 1);
    }

    [Fact]
    public void AnUnknownModelFailsBeforeAnyTraining()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("e.yaml"), "study: emocontext\ndata: nowhere\nmodels: [bc-lstm, transformer-xl]\n");
        var plan = StudyFile.Load(dir.File("e.yaml"));
        var error = Assert.Throws<DeepscopeException>(() => StudyHost.Run(plan, new RunSettings(dir.File("run"), CacheDirectory: dir.File("cache"))));
        Assert.Contains("unknown text model 'transformer-xl'", error.Message);
    }
}
