using Deepscope.Data;
using Deepscope.Models.Attention;
using Deepscope.Studies.Attention;
using Deepscope.Tests.Support;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Tests.Attention;

public sealed class RamResumeTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("deepscope-ram-resume-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    sealed class Killed : Exception;

    [Fact]
    public void A_run_killed_after_an_epoch_resumes_to_the_same_weights_and_history()
    {
        var store = new DatasetStore(SharedData.Require("mnist"), allowDownload: false);
        var options = new AttentionRunOptions
        {
            Task = new DigitTaskOptions { Dataset = DigitDataset.ClutteredMnist, Size = 40, Distractors = 2, TrainSubset = 384 },
            Ram = new RamOptions { Glimpses = 2, Patch = 6, Scales = 2, GlimpseHidden = 16, LocationHidden = 16, GlimpseFeatures = 32, CoreSize = 32, LocationStd = 0.2 },
            Epochs = 2, BatchSize = 64,
        };
        string whole = Path.Combine(_root, "whole"), killed = Path.Combine(_root, "killed");
        var expected = AttentionRun.Train(options, seed: 3, store, whole);
        Assert.Throws<Killed>(() => AttentionRun.Train(options, seed: 3, store, killed, epochCompleted: e => { if (e.Epoch == 1) throw new Killed(); }));
        var resumed = AttentionRun.Train(options, seed: 3, store, killed);

        Assert.Equal(1, resumed.ResumedAfterEpoch);
        Assert.Equal(expected.History.Select(e => e.Metrics["train_loss"]), resumed.History.Select(e => e.Metrics["train_loss"]));
        Assert.Equal(expected.History.Select(e => e.EvalAccuracy), resumed.History.Select(e => e.EvalAccuracy));
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, Trainer.BestWeightsFile)), File.ReadAllBytes(Path.Combine(killed, Trainer.BestWeightsFile)));
    }
}
