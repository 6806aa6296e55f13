using System.Text.Json.Nodes;
using Deepscope.Data;
using Deepscope.Features;
using Deepscope.Features.Cnn;
using Deepscope.IO;
using Deepscope.Models.Pretrained;
using Deepscope.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Deepscope.Tests.Cnn;

/// <summary>Layer names, preprocessing contracts, bfloat16, the dataset mode and CLI errors.</summary>
public sealed class CnnFeatureTests
{
    [Fact]
    public void LayerNames_AreTorchvisionsNamedModules_ForEveryModel()
    {
        // module_names.json: [n for n, _ in torchvision.models.<name>().named_modules() if n], by torchvision 0.14.
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(TorchvisionFixtures.Directory, "module_names.json")))!.AsObject();
        Assert.Equal(CnnModels.Names.Order(), expected.Select(kv => kv.Key).Order());
        foreach (var (name, modules) in expected)
        {
            using var model = CnnModels.Create(name);
            Assert.Equal(modules!.AsArray().Select(n => (string)n!), LayerWalk.LayerNames(model));
        }
    }

    [Fact]
    public void EarlyStop_GivesTheSameActivationsAsAFullPass()
    {
        using var model = CnnModels.Create("resnet18");
        manual_seed(5);
        using var x = randn(2, 3, 32, 32);
        var full = LayerWalk.Run(model, x, ["layer1.0.relu", "layer1.0", "layer2.0.downsample.0", "fc"]);
        // Alone, each stops the walk right after itself (inside a block's downsample branch for the second).
        var relu = LayerWalk.Run(model, x, ["layer1.0.relu"])["layer1.0.relu"];
        var downsample = LayerWalk.Run(model, x, ["layer2.0.downsample.0"])["layer2.0.downsample.0"];
        Assert.True(relu.allclose(full["layer1.0"], rtol: 0, atol: 0), "a block's relu is its last application, the block output");
        Assert.True(relu.allclose(full["layer1.0.relu"], rtol: 0, atol: 0));
        Assert.True(downsample.allclose(full["layer2.0.downsample.0"], rtol: 0, atol: 0));
        Assert.Equal([2L, 128 * 4 * 4], downsample.shape);
    }

    [Fact]
    public void UnknownLayer_ListsTheTopLevelModules()
    {
        using var model = CnnModels.Create("alexnet");
        var e = Assert.Throws<DeepscopeException>(() => new CnnFeatureExtractor(model, new CnnFeatureOptions { Model = "alexnet", Layers = ["classifier.9"] }));
        Assert.StartsWith("alexnet has no layer 'classifier.9'; its top-level modules are features, avgpool, classifier", e.Message);
    }

    [Fact]
    public void Preprocessing_ReplicatesGrayAndNormalises()
    {
        using var gray = full(new long[] { 1, 4, 4 }, 0.5f);
        using var x = new ImageNetPreprocessing().Apply(gray);
        Assert.Equal([1L, 3, 4, 4], x.shape);
        for (int c = 0; c < 3; c++)
            Assert.Equal((0.5f - ImageNetPreprocessing.Mean[c]) / ImageNetPreprocessing.Std[c], x[0, c, 2, 3].item<float>(), 6);
        using var bytes = full(new long[] { 1, 1, 4, 4 }, 255, ScalarType.Byte);
        using var y = new ImageNetPreprocessing().Apply(bytes);
        Assert.Equal((1f - ImageNetPreprocessing.Mean[0]) / ImageNetPreprocessing.Std[0], y[0, 0, 0, 0].item<float>(), 6);
        Assert.Equal((70L, 40L), new ImageNetPreprocessing(40).OutputSize(35, 20));
        Assert.Equal((32L, 32L), new ImageNetPreprocessing(40, 32).OutputSize(35, 20));
    }

    [Fact]
    public void ImagesOutsideUnitRange_AreRefused()
    {
        using var extractor = new CnnFeatureExtractor(CnnModels.Create("resnet18"), new CnnFeatureOptions { Model = "resnet18", Layers = ["avgpool"] });
        using var images = full(new long[] { 1, 3, 32, 32 }, 255f);
        var e = Assert.Throws<DeepscopeException>(() => extractor.Extract(images));
        Assert.Contains("must be in [0, 1], found [255, 255] (divide 0-255 images by 255)", e.Message);
    }

    [Fact]
    public void BFloat16_CloseToFloat32()
    {
        var c = TorchvisionFixtures.Load("resnet18").Single(c => c.Input == "rgb32");
        var network = CnnModels.Create("resnet18");
        FormulaWeights.Fill(network);
        using var extractor = new CnnFeatureExtractor(network, new CnnFeatureOptions { Model = "resnet18", Layers = ["avgpool", "fc"], BFloat16 = true });
        using var images = c.Images();
        var features = extractor.Extract(images);
        foreach (var layer in new[] { "avgpool", "fc" })
        {
            Assert.Equal(ScalarType.Float32, features[layer].dtype);
            double error = TorchvisionFixtures.RelativeError(features[layer], c.Expected[layer]);
            // bfloat16 keeps 8 significant bits (relative step 2^-8 = 0.4%) and rounds at every layer.
            Assert.InRange(error, 1e-4, 5e-2);
        }
    }

    [Fact]
    public void Cli_ListLayers_PrintsNamesAndSizes()
    {
        var (exit, stdout, stderr) = CliRunner.Run("features", "cnn", "--model", "resnet18", "--list-layers");
        Assert.True(exit == 0, stderr);
        Assert.Matches(@"avgpool\s*│\s*AdaptiveAvgPool2d\s*│\s*512", stdout);
        Assert.Matches(@"layer3\s*│\s*Sequential\s*│\s*50,176", stdout);  // 256 x 14 x 14 for 224 x 224 input
    }

    [Fact]
    public void Cli_Dataset_WritesTheFeatureDirectory_MatchingArrayMode()
    {
        var data = SharedData.Require("mnist");
        using var dir = new TempDir();
        var weights = dir.File("resnet18.pth");
        using (var network = CnnModels.Create("resnet18"))
        {
            FormulaWeights.Fill(network);
            network.save_py(weights);
        }
        var output = dir.File("features");
        var (exit, stdout, stderr) = CliRunner.Run("features", "cnn", "--model", "resnet18", "--weights", weights, "--layer", "layer4,avgpool",
            "--dataset", "mnist", "--data-dir", data, "--no-download", "--resize", "32", "--limit", "40", "--batch-size", "16", "--output", output);
        Assert.True(exit == 0, stderr);
        Assert.Contains("images/s", stdout);

        // The shared FeatureSet layout: the learners and `classify --features-dir` read it as they read scattering features.
        using (var set = FeatureSet.Load(output))
        {
            var info = set.Info;
            Assert.Equal(CnnFeatureDirectory.ExtractorName, info.Extractor);
            Assert.Equal("mnist", info.Dataset);
            Assert.Equal(32, (int)info.Settings["resize"]!);
            Assert.Equal((40L, 40L, 1024L), (info.TrainCount, info.TestCount, info.FeatureDim));  // layer4 512x1x1 then avgpool 512
            Assert.Equal(512, (long)info.Settings["layers"]![1]!["offset"]!);
            Assert.Contains("libtorch", info.Versions.Keys);
            Assert.True(info.TimingsSeconds["images_per_second"] > 0);
        }

        var store = new DatasetStore(data, allowDownload: false);
        using var test = store.Load(Datasets.Get("mnist"), Split.Test).Take(40);
        using var labels = Npy.Read(Path.Combine(output, "test_labels.npy"));
        Assert.True(labels.allclose(test.Labels, rtol: 0, atol: 0));
        // The same images through the array mode give the same features, so the directory holds what it says.
        using (var images = test.ToFloat()) Npy.Write(dir.File("x.npy"), images);
        var (exit2, _, stderr2) = CliRunner.Run("features", "cnn", "--model", "resnet18", "--weights", weights, "--layer", "avgpool",
            "--input", dir.File("x.npy"), "--resize", "32", "--output", dir.File("f.npy"));
        Assert.True(exit2 == 0, stderr2);
        using var fromArray = Npy.Read(dir.File("f.npy"));
        using var fromDataset = Npy.Read(Path.Combine(output, "test_features.npy"));
        Assert.True(fromDataset.narrow(1, 512, 512).allclose(fromArray, rtol: 1e-5, atol: 1e-5));
    }
}
