using Deepscope.Features.Cnn;
using Deepscope.IO;
using Deepscope.Models.Pretrained;
using Deepscope.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Deepscope.Tests.Cnn;

/// <summary>
/// Activations equal torchvision's: the closed-form weights and inputs of torchvision_reference.py, rebuilt here,
/// give the committed torchvision activations (fp32, relative error 1e-5).
/// </summary>
public sealed class CnnReferenceTests
{
    const double Tolerance = 1e-5;

    [Fact]
    public void Resnet18_ThroughCli_MatchesTorchvision_AtSeveralLayers() => ThroughCli("resnet18");

    [Fact]
    public void Vgg16_ThroughCli_MatchesTorchvision_AtSeveralLayers() => ThroughCli("vgg16", safetensors: true);

    [Theory]
    [Trait(Category.Name, Category.Long)]
    [InlineData("resnet34"), InlineData("resnet50"), InlineData("alexnet")]
    [InlineData("vgg11"), InlineData("vgg11_bn"), InlineData("vgg13"), InlineData("vgg13_bn")]
    [InlineData("vgg16_bn"), InlineData("vgg19"), InlineData("vgg19_bn")]
    public void EveryArchitecture_MatchesTorchvision(string model)
    {
        foreach (var c in TorchvisionFixtures.Load(model))
        {
            var network = CnnModels.Create(model);
            FormulaWeights.Fill(network);
            var options = new CnnFeatureOptions { Model = model, Layers = [.. c.Expected.Keys], Preprocessing = c.Preprocessing };
            using var extractor = new CnnFeatureExtractor(network, options);
            using var images = c.Images();
            var actual = extractor.Extract(images);
            foreach (var (layer, expected) in c.Expected)
                Assert.True(TorchvisionFixtures.RelativeError(actual[layer], expected) <= Tolerance, $"{model} {layer}: relative error {TorchvisionFixtures.RelativeError(actual[layer], expected):E2}");
        }
    }

    /// <summary>
    /// Writes the formula weights (PyTorch .pth, or safetensors, which PyBridge writes 20x faster for VGG's 528 MB),
    /// runs `deepscope features cnn` on each fixture input, compares.
    /// </summary>
    static void ThroughCli(string model, bool safetensors = false)
    {
        using var dir = new TempDir();
        var weights = dir.File(safetensors ? $"{model}.safetensors" : $"{model}.pth");
        using (var network = CnnModels.Create(model))
        {
            FormulaWeights.Fill(network);
            if (safetensors) network.save_safetensors(weights);
            else network.save_py(weights);
        }
        foreach (var c in TorchvisionFixtures.Load(model))
        {
            var input = dir.File($"{c.Input}.npy");
            using (var images = c.Images()) Npy.Write(input, images);
            var output = dir.File($"{c.Input}-features.npy");
            string[] args = ["features", "cnn", "--model", model, "--weights", weights, "--input", input, "--output", output,
                .. c.Expected.Keys.SelectMany(l => new[] { "--layer", l }), .. c.Resize is { } r ? new[] { "--resize", r.ToString() } : [],
                .. c.CenterCrop is { } crop ? new[] { "--center-crop", crop.ToString() } : []];
            var (exit, stdout, stderr) = CliRunner.Run(args);
            Assert.True(exit == 0, $"exit {exit}: {stderr}");
            foreach (var (layer, expected) in c.Expected)
            {
                var path = c.Expected.Count == 1 ? output : output[..^4] + $".{layer}.npy";
                using var actual = Npy.Read(path);
                double error = TorchvisionFixtures.RelativeError(actual, expected);
                Assert.True(error <= Tolerance, $"{model} {c.Input} {layer}: relative error {error:E2}");
            }
            Assert.Contains("images/s", stdout);
        }
    }
}
