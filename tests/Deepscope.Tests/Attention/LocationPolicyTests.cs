using Deepscope.Models.Attention;
using Deepscope.Tests.Training;
using Deepscope.Training;
using Deepscope.Training.Steps;
using static TorchSharp.torch;

namespace Deepscope.Tests.Attention;

/// <summary>The location policy's sigma: constant by default, annealed by a cosine when a final sigma is given.</summary>
public sealed class LocationPolicyTests
{
    [Fact]
    public void Sigma_is_constant_unless_a_final_sigma_is_given()
    {
        var model = new RecurrentAttentionModel(new RamOptions { LocationStd = 0.1 });
        foreach (var progress in new[] { 0, 0.3, 1 })
        {
            model.SetTrainingProgress(progress);
            Assert.Equal(0.1, model.LocationStd);
        }
    }

    [Fact]
    public void An_annealed_sigma_follows_a_cosine_from_the_first_to_the_final_value()
    {
        IPolicyModel model = new RecurrentAttentionModel(new RamOptions { LocationStd = 0.2, FinalLocationStd = 0.04 });
        var ram = (RecurrentAttentionModel)model;
        Assert.Equal(0.2, ram.LocationStd, 12);  // a new model starts at the first sigma
        model.SetTrainingProgress(0.5);
        Assert.Equal(0.12, ram.LocationStd, 12);
        model.SetTrainingProgress(0.25);
        Assert.Equal(0.04 + 0.16 * (1 + Math.Cos(Math.PI / 4)) / 2, ram.LocationStd, 12);
        model.SetTrainingProgress(1);
        Assert.Equal(0.04, ram.LocationStd, 12);
    }

    [Fact]
    public void The_reinforce_step_tells_the_policy_how_far_training_has_come()
    {
        // 160 examples in batches of 16 for 2 epochs: 20 steps, the last at progress 19/20.
        random.manual_seed(2);
        var model = new RecurrentAttentionModel(new RamOptions { Glimpses = 2, Patch = 2, LocationStd = 0.2, FinalLocationStd = 0.04 }, numClasses: 4);
        var train = TinyData.Make(160, seed: 5);
        new Trainer(new TrainingOptions { Epochs = 2, BatchSize = 16, Seed = 1 }) { Step = new ReinforceStep() }
            .Fit(new ModelSet(TrainedModel.Whole(ModelNames.Model, model, new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 1e-3 })),
                train.ToSource(), null, TinyData.Transform(train));
        Assert.Equal(0.04 + 0.16 * (1 + Math.Cos(Math.PI * 19 / 20)) / 2, model.LocationStd, 12);
    }

    [Fact]
    public void Sampled_locations_spread_around_the_mean_by_the_current_sigma()
    {
        // At the end of training sigma is 0.05, small enough that no sample reaches the clamp at -1 or 1.
        random.manual_seed(5);
        var model = new RecurrentAttentionModel(new RamOptions { Glimpses = 1, Patch = 2, LocationStd = 0.3, FinalLocationStd = 0.05 });
        model.SetTrainingProgress(1);
        using var images = zeros(8000, 1, 16, 16);
        using var generator = new Generator(3);
        var (_, trace) = model.Trace(images, generator);
        using (trace)
        {
            // Every image is blank, so the policy's mean is the same for all: the spread is the sampling's alone.
            var first = trace.Locations.select(1, 0);
            Assert.Equal(0.05, first.std(0).mean().item<float>(), 2);
        }
    }
}
