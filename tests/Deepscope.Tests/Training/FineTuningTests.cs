using Deepscope.Models;
using Deepscope.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Deepscope.Tests.Training;

public class FineTuningTests : IClassFixture<SingleThreaded>
{
    static readonly Examples Train = TinyData.Make(160, seed: 11);
    static readonly Examples Test = TinyData.Make(64, seed: 12);
    static readonly TrainingOptions Options = new() { Epochs = 2, BatchSize = 16, Optimizer = new OptimizerOptions { LearningRate = 0.05, Momentum = 0.9 }, Seed = 3 };

    static LeNet Pretrained()
    {
        random.manual_seed(21);
        var model = ModelZoo.lenet(numClasses: 4, imageSize: 8);
        // Give batch norm non-trivial running statistics, as a pretrained body has.
        new Trainer(Options with { Epochs = 1 }).Fit(TrainingTarget.Whole(model), Train, null, TinyData.Transform(Train));
        return model;
    }

    static Dictionary<string, Tensor> Snapshot(nn.Module m) => m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

    [Fact]
    public void LinearProbeTrainsOnlyTheHeadAndKeepsBatchNormStatistics()
    {
        using var model = Pretrained();
        var before = Snapshot(model);
        var target = FineTuning.Prepare(model, "fc2", new FineTuneOptions(FineTuneMode.LinearProbe));
        Assert.Equal(["fc2.weight", "fc2.bias"], model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name));
        new Trainer(Options).Fit(target, Train, Test, TinyData.Transform(Train));
        foreach (var (key, value) in model.state_dict())
            Assert.True(key.StartsWith("fc2.") != TinyData.Same(before[key], value), $"{key}: {(key.StartsWith("fc2.") ? "head should change" : "body should stay fixed")}");
    }

    [Fact]
    public void LastLayersAndFullModesChooseTheirParameters()
    {
        using var model = Pretrained();
        var last = FineTuning.Prepare(model, "fc2", new FineTuneOptions(FineTuneMode.LastLayers, LastLayers: 2));
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"], model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name));
        Assert.Equal(4, last.Frozen.Count); // conv1, bn1, conv2, bn2 (dropout follows fc1, which trains)

        var full = FineTuning.Prepare(model, "fc2", new FineTuneOptions(FineTuneMode.Full, BodyLearningRateFactor: 0.1));
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
        // body: conv1, bn1 (2), conv2, bn2 (2), fc1 (2); the convolutions have no bias.
        Assert.Equal([("head", 1.0, 2), ("body", 0.1, 8)], full.Groups.Select(g => (g.Name, g.LearningRateFactor, g.Parameters.Count)));
        Assert.Empty(full.Frozen);
    }

    [Fact]
    public void TorchvisionResNetBlocksAreItsStages()
    {
        using var model = torchvision.models.resnet18(num_classes: 4);
        FineTuning.Prepare(model, "fc", new FineTuneOptions(FineTuneMode.LastLayers, LastLayers: 2));
        var trained = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name.Split('.')[0]).Distinct();
        Assert.Equal(["layer4", "fc"], trained);
    }

    [Fact]
    public void ProbeOnCachedFeaturesMatchesProbeThroughTheFrozenBody()
    {
        var transform = TinyData.Transform(Train);
        using var direct = Pretrained();
        using var cached = Pretrained();
        var spec = ModelZoo.Get("lenet");
        new Trainer(Options).Fit(FineTuning.Prepare(direct, "fc2", new FineTuneOptions(FineTuneMode.LinearProbe)), Train, Test, transform);

        using var trainFeatures = FineTuning.CacheFeatures(cached, spec, Train, transform, batchSize: 64);
        using var testFeatures = FineTuning.CacheFeatures(cached, spec, Test, transform, batchSize: 64);
        using var head = nn.Linear(cached.FeatureCount, 4);
        using (no_grad())
        {
            // Same starting head as the direct probe's, so both runs take the same steps.
            head.weight!.copy_(cached.state_dict()["fc2.weight"]);
            head.bias!.copy_(cached.state_dict()["fc2.bias"]);
        }
        new Trainer(Options).Fit(TrainingTarget.Whole(head), Train with { Inputs = trainFeatures }, Test with { Inputs = testFeatures });
        FineTuning.InstallHead(cached, "fc2", head);
        var a = direct.state_dict();
        var b = cached.state_dict();
        foreach (var key in a.Keys)
            Assert.True(a[key].to_type(ScalarType.Float64).allclose(b[key].to_type(ScalarType.Float64), rtol: 1e-4, atol: 1e-5), $"{key} differs");
        Assert.False(TinyData.Same(a["fc2.weight"], Pretrained().state_dict()["fc2.weight"]));
    }
}
