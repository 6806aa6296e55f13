using Deepscope.Models.Pretrained;
using Deepscope.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Deepscope.Tests.Cnn;

/// <summary>
/// Loading state dicts written by PyTorch 1.13 (Fixtures/Cnn/tiny_*.pth, see torchvision_reference.py checkpoints):
/// plain, wrapped in a training checkpoint with DataParallel's "module." prefix, without BatchNorm counters, and
/// safetensors; and the errors for every way a file can fail to fit.
/// </summary>
public sealed class CheckpointTests
{
    static string Fixture(string name) => Path.Combine(TorchvisionFixtures.Directory, name);

    // The module the tiny checkpoints were saved from: torch.nn.Sequential(Conv2d(3, 4, 3), BatchNorm2d(4)).
    static nn.Module Tiny(int channels = 4, bool extraLayer = false)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("0", nn.Conv2d(3, channels, 3)), ("1", nn.BatchNorm2d(channels)) };
        if (extraLayer) layers.Add(("2", nn.Conv2d(channels, 2, 1)));
        return nn.Sequential(layers);
    }

    static void AssertTinyValues(nn.Module model, long batchCounter)
    {
        foreach (var (key, t) in model.state_dict())
        {
            if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal)) Assert.Equal(batchCounter, t.item<long>());
            else
            {
                using var expected = arange(t.numel(), ScalarType.Float32).reshape(t.shape) / 8 + 1;
                Assert.True(t.allclose(expected, rtol: 0, atol: 0), $"{key} differs from the values PyTorch saved");
            }
        }
    }

    [Theory]
    [InlineData("tiny_plain.pth", 11)]
    [InlineData("tiny_wrapped.pth", 11)]
    [InlineData("tiny.safetensors", 11)]
    [InlineData("tiny_no_counter.pth", 0)]
    public void PyTorchFiles_LoadWithTheirValues(string file, long batchCounter)
    {
        using var model = Tiny();
        var state = StateDictFile.Read(Fixture(file));
        StateDictFile.Apply(model, state, file, "tiny");
        AssertTinyValues(model, batchCounter);
    }

    [Fact]
    public void WrongShape_NamesTheKeyAndBothShapes()
    {
        using var model = Tiny();
        var e = Assert.Throws<InvalidDataFileException>(() => StateDictFile.Apply(model, StateDictFile.Read(Fixture("tiny_wrong_shape.pth")), "w.pth", "tiny"));
        Assert.Equal("w.pth: key '0.weight' has shape (5, 3, 3, 3) in the file but (4, 3, 3, 3) in tiny", e.Message);
    }

    [Fact]
    public void MissingAndUnexpectedKeys_AreNamed()
    {
        using (var larger = Tiny(extraLayer: true))
        {
            var e = Assert.Throws<InvalidDataFileException>(() => StateDictFile.Apply(larger, StateDictFile.Read(Fixture("tiny_plain.pth")), "p.pth", "tiny"));
            Assert.Equal("p.pth: does not fit tiny: missing keys '2.weight', '2.bias'", e.Message);
        }
        using var convOnly = nn.Sequential(("0", nn.Conv2d(3, 4, 3)));
        var e2 = Assert.Throws<InvalidDataFileException>(() => StateDictFile.Apply(convOnly, StateDictFile.Read(Fixture("tiny_plain.pth")), "p.pth", "tiny"));
        Assert.StartsWith("p.pth: does not fit tiny: unexpected keys ", e2.Message);
        foreach (var key in new[] { "'1.weight'", "'1.bias'", "'1.running_mean'", "'1.running_var'", "'1.num_batches_tracked'" })
            Assert.Contains(key, e2.Message);
    }

    [Theory]
    [InlineData("tiny_legacy.pth", "legacy (pre-1.6) format")]
    [InlineData("tiny_tensor.pth", "holds a single object, not a dictionary of tensors")]
    [InlineData("torchvision_reference.py", "not a PyTorch checkpoint (zip-format .pth/.pt) or a safetensors file")]
    public void FilesThatAreNotStateDicts_AreNamedWithTheProblem(string file, string problem)
    {
        var e = Assert.Throws<InvalidDataFileException>(() => StateDictFile.Read(Fixture(file)));
        Assert.Equal(Fixture(file), e.FilePath);
        Assert.Contains(problem, e.Problem);
    }

    [Fact]
    public void TruncatedCheckpoint_IsNamed()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Fixture("tiny_plain.pth"));
        File.WriteAllBytes(dir.File("cut.pth"), bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataFileException>(() => StateDictFile.Read(dir.File("cut.pth")));
        Assert.Contains("unreadable PyTorch checkpoint", e.Message);
        Assert.StartsWith(dir.File("cut.pth"), e.Message);
    }

    [Fact]
    public void Cli_WeightsOfAnotherModel_FailWithTheFileAndKeys()
    {
        using var dir = new TempDir();
        using (var images = rand(1, 3, 32, 32)) Deepscope.IO.Npy.Write(dir.File("x.npy"), images);
        var (exit, _, stderr) = CliRunner.Run("features", "cnn", "--model", "resnet18", "--weights", Fixture("tiny_plain.pth"),
            "--layer", "avgpool", "--input", dir.File("x.npy"), "--output", dir.File("f.npy"));
        Assert.Equal(1, exit);
        Assert.Contains($"{Fixture("tiny_plain.pth")}: does not fit resnet18: missing keys 'conv1.weight'", stderr);
        Assert.Contains("; unexpected keys '0.bias', '0.weight', '1.bias', '1.num_batches_tracked', '1.running_mean' and 2 more", stderr);
        Assert.False(File.Exists(dir.File("f.npy")));
    }
}
