using Deepscope.Models;
using Deepscope.Models.Pretrained;
using Deepscope.Studies.Inspection;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Tests.Inspection;

/// <summary>Where the inspection study's network starts: ImageNet weights when it has any, else from scratch.</summary>
public sealed class InspectionStartTests
{
    [Fact]
    public void A_model_that_ships_with_imagenet_weights_is_fine_tuned_from_them()
    {
        var spec = ModelZoo.Get("resnet18-cntk");
        using var inputs = rand(4, 1, 32, 32);
        using var labels = tensor(new long[] { 0, 1, 0, 1 });
        var setup = ClassifierSetup.Build(spec, new Examples(inputs, labels, ["good_0", "bad_1"]), 32, seed: 0, InspectionTraining.FineTuneFor(spec, weights: null));
        using var model = setup.Model;
        using var bundled = CnnModels.Load("resnet18-cntk", weightsPath: null);
        var started = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var imagenet = bundled.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var name in new[] { "conv1.weight", "layer4.2.conv2.weight", "layer4.2.bn2.bias" })
            Assert.True(started[name].allclose(imagenet[name], rtol: 0, atol: 0), $"{name} is not the bundled ImageNet weight");
        Assert.Equal([2L, 512L], started["fc.weight"].shape);
    }

    [Fact]
    public void A_model_without_weights_trains_from_scratch() =>
        Assert.Null(InspectionTraining.FineTuneFor(ModelZoo.Get("resnet18"), weights: null));
}
