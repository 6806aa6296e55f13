using Deepscope.Features.Cnn;
using Deepscope.Models;
using Deepscope.Models.Onnx;
using Deepscope.Models.Pretrained;
using Deepscope.Tests.Cnn;
using static TorchSharp.torch;

namespace Deepscope.Tests.Onnx;

/// <summary>The bundled ImageNet ResNet-18 (ML.NET's CNTK export) against ONNX Runtime running the package's own two graphs.</summary>
public sealed class CntkResNet18Tests
{
    static readonly string ModelPath = CntkResNet18.Locate(CntkResNet18.ModelFile);
    static readonly string PreprocessPath = CntkResNet18.Locate(CntkResNet18.PreprocessFile);

    [Fact]
    public void Features_EqualOnnxRuntimes_AtThePooledOutputAndInsideLayer3()
    {
        // Two RGB images in [0, 1]; the package's pipeline takes them as 0..255 (ResNetPreprocess.onnx swaps to BGR and
        // subtracts the mean image, ResNet18.onnx gives the pooled 512 features).
        var generator = new Random(14);
        var images = Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 3 * 224 * 224).Select(_ => (float)generator.NextDouble()).ToArray()).ToList();
        using var graph = OnnxFile.Read(ModelPath);
        // layer3's output is the ReLU after the sixth residual Add (blocks 2 + 2 + 2), found by following the data flow.
        var layer3Relu = graph.Nodes.Where(n => n.OpType == "Add").Skip(5).First().Outputs[0] is var add
            ? graph.Nodes.Single(n => n.OpType == "Relu" && n.Inputs[0] == add).Outputs[0] : null!;
        var options = new CnnFeatureOptions { Model = "resnet18-cntk", Layers = ["avgpool", "layer3"], BatchSize = 2 };
        using var extractor = CnnFeatureExtractor.Load(options, weightsPath: null);
        using var batch = stack(images.Select(i => tensor(i).view(3, 224, 224)).ToList());
        var ours = extractor.Extract(batch);

        byte[] prepBytes = File.ReadAllBytes(PreprocessPath), modelBytes = File.ReadAllBytes(ModelPath);
        for (int i = 0; i < images.Count; i++)
        {
            var pixels = images[i].Select(v => v * 255f).ToArray();
            var prepared = OnnxRuntimeReference.Run(prepBytes, pixels, [1, 3, 224, 224], "PreprocessedInput")["PreprocessedInput"];
            var reference = OnnxRuntimeReference.Run(modelBytes, prepared, [1, 3, 224, 224], graph.Outputs[0], layer3Relu);
            using var pooled = tensor(reference[graph.Outputs[0]]);
            using var layer3 = tensor(reference[layer3Relu]);
            Assert.True(TorchvisionFixtures.RelativeError(ours["avgpool"][i], pooled) < 1e-4, "pooled features differ from ONNX Runtime's");
            Assert.True(TorchvisionFixtures.RelativeError(ours["layer3"][i], layer3) < 1e-4, "layer3 activations differ from ONNX Runtime's");
            Assert.True(reference[graph.Outputs[0]].Max() > 0.5, "the reference features are not trivial");
        }
        foreach (var f in ours.Values) f.Dispose();
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_one_error_naming_it_and_a_closed_file_is_not_read()
    {
        using var dir = new Deepscope.Tests.Support.TempDir();
        File.WriteAllText(dir.File("empty.onnx"), "");
        File.WriteAllBytes(dir.File("text.onnx"), "not a model\n"u8.ToArray());
        Assert.Equal($"{dir.File("empty.onnx")}: not an ONNX model: the file is empty", Assert.Throws<InvalidDataFileException>(() => OnnxFile.Read(dir.File("empty.onnx"))).Message);
        Assert.StartsWith($"{dir.File("text.onnx")}: not a readable ONNX model", Assert.Throws<InvalidDataFileException>(() => OnnxFile.Read(dir.File("text.onnx"))).Message);

        var file = OnnxFile.Read(ModelPath);
        var weight = file.Initializers.Values.First();
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => weight.ToTensor());
    }

    [Fact]
    public void Normalization_IsThePreprocessingGraphsMeanImage_InRgbOrder()
    {
        var normalization = CntkResNet18.ReadNormalization(PreprocessPath);
        // The package's channel means, B 103.06, G 115.90, R 123.15 in 0..255, in RGB order and [0, 1] units.
        Assert.Equal([123.15, 115.90, 103.06], normalization.Mean.Select(m => Math.Round(m * 255, 2)));
        Assert.All(normalization.Std, s => Assert.Equal(1 / 255f, s));
        Assert.Equal((224, 224), (normalization.MeanImageHeight, normalization.MeanImageWidth));
    }

    [Fact]
    public void Import_ChecksStructure_AndNamesTheFileAndNode()
    {
        // torchvision's resnet18 has two blocks in layer4; the CNTK graph has a third residual Add there.
        using var resnet18 = CnnModels.Create("resnet18");
        using var file = OnnxFile.Read(ModelPath);
        var error = Assert.Throws<InvalidDataFileException>(() => OnnxImport.StateDict(file, resnet18));
        Assert.Contains(ModelPath, error.Message);
        Assert.Contains("Add node 'Plus", error.Message);
        Assert.Contains("more blocks", error.Message);

        // Onto our ResNet with the CNTK block counts, every tensor lands; the graph has no classifier.
        using var cntk = new ImageNetResNet(CntkResNet18.BlocksPerStage, numClasses: 0);
        var state = OnnxImport.StateDict(file, cntk);
        Assert.Equal(cntk.state_dict().Keys.Where(k => !k.EndsWith("num_batches_tracked")).Order(), state.Keys.Order());
        // layer2.0's shortcut is a 1x1 convolution, its main branch two 3x3 ones (the same shape as layer2.1's: matched by structure).
        Assert.Equal([128, 64, 1, 1], state["layer2.0.downsample.0.weight"].shape);
        Assert.Equal([128, 64, 3, 3], state["layer2.0.conv1.weight"].shape);
        foreach (var t in state.Values) t.Dispose();
    }
}
