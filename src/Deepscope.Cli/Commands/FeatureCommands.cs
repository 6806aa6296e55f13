using System.CommandLine;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope features ...</c>: the feature extractors, one subcommand each.</summary>
static class FeatureCommands
{
    static readonly Func<Command>[] Extractors = [ScatteringFeatureCommands.Create, CnnFeatureCommands.Create];

    public static Command Create()
    {
        var features = new Command("features", "Extract features (scattering coefficients, pretrained CNN activations) to .npy files for the learners");
        foreach (var create in Extractors) features.Subcommands.Add(create());
        return features;
    }
}
