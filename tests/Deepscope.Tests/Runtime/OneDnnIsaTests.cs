using System.Runtime.CompilerServices;
using TorchSharp;
using Deepscope.Models;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Tests.Runtime;

public static class RuntimeSetup
{
    /// <summary>Deepscope's module initializer (the oneDNN ISA cap) runs before any test touches libtorch.</summary>
    [ModuleInitializer]
    internal static void InitializeDeepscopeFirst() => RuntimeHelpers.RunModuleConstructor(typeof(TorchRuntime).Module.ModuleHandle);
}

public class OneDnnIsaTests
{
    /// <summary>
    /// ResNet-18's layer4 shapes on 32x32 images, where oneDNN's AVX-512 kernels were wrong on AMD: convolutions against
    /// the same product done by unfold (im2col) and a matrix product, which do not go through oneDNN's convolutions.
    /// </summary>
    [Theory]
    [InlineData(256, 2, 3, 2, 1, false)]  // layer4.0.conv1: 2x2 -> 1x1, stride 2
    [InlineData(256, 2, 3, 2, 1, true)]
    [InlineData(512, 1, 3, 1, 1, false)]  // layer4.x.conv2: 1x1 maps
    [InlineData(512, 1, 3, 1, 1, true)]
    [InlineData(256, 2, 1, 2, 0, true)]   // layer4.0.downsample: 1x1 kernel, stride 2
    [InlineData(128, 4, 3, 2, 1, true)]   // layer3.0.conv1: 4x4 -> 2x2
    [InlineData(64, 8, 3, 1, 1, true)]    // layer1 at 32x32 after the stem
    public void ConvolutionsEqualTheirIm2colProduct(long inChannels, long size, long kernel, long stride, long padding, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(7);
        var x = randn([16, inChannels, size, size], generator: g);
        if (channelsLast) x = MemoryFormat.ChannelsLast(x);
        var weight = randn([512, inChannels, kernel, kernel], generator: g) * 0.05;
        // Deepscope's promise: libtorch's own convolution where the library caps oneDNN at AVX2; where a routed process
        // runs AVX-512 (whose plain strided 1x1 kernels are wrong here), the dispatch's.
        var convolved = OneDnnIsa.WideVectors
            ? ConvolutionDispatch.Conv2d(x, weight, null, [stride, stride], [padding, padding], [1, 1], 1)
            : nn.functional.conv2d(x, weight, strides: [stride, stride], padding: [padding, padding]);
        long outSize = (size + 2 * padding - kernel) / stride + 1;
        var columns = nn.functional.unfold(x, kernel, padding: padding, stride: stride);   // (N, C*k*k, L)
        var expected = weight.reshape(512, -1).matmul(columns).reshape(16, 512, outSize, outSize);
        double error = (convolved - expected).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.True(error < 1e-5, $"relative error {error:E2} (oneDNN ISA: {TorchRuntime.Versions()["onednn_isa"]})");
    }

    [Fact]
    public void The_run_record_states_the_isa_limit_and_who_set_it()
    {
        var isa = TorchRuntime.Versions()["onednn_isa"];
        var user = Environment.GetEnvironmentVariable(OneDnnIsa.Variable);
        if (OneDnnIsa.Capped) Assert.StartsWith($"{OneDnnIsa.Ceiling} (capped by Deepscope", isa);
        else if (user is { Length: > 0 }) Assert.Equal($"{user} (set by the user)", isa);
        else Assert.StartsWith("default", isa);
        Assert.Equal(OneDnnIsa.WideVectors ? 16 : 8, MachinePeak.Detect(1).Lanes);
    }

    /// <summary>
    /// libtorch runs float32 LSTMs (the dialogue models) through oneDNN too, so its ISA decides their kernels: forward
    /// and gradients against the float64 twin, whose LSTM does not go through oneDNN.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_lstm_equals_its_float64_twin(bool bidirectional)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        using var lstm = nn.LSTM(100, 64, batchFirst: true, bidirectional: bidirectional);
        using var twin = nn.LSTM(100, 64, batchFirst: true, bidirectional: bidirectional);
        twin.load_state_dict(lstm.state_dict());
        twin.to(ScalarType.Float64);
        var x = randn(8, 30, 100).requires_grad_();
        var x64 = x.detach().to_type(ScalarType.Float64).requires_grad_();
        var (output, _, _) = lstm.forward(x);
        var (output64, _, _) = twin.forward(x64);
        var upstream = randn(output64.shape, dtype: ScalarType.Float64);
        (output * upstream.to_type(ScalarType.Float32)).sum().backward();
        (output64 * upstream).sum().backward();
        double Error(Tensor actual, Tensor expected) => (actual.to_type(ScalarType.Float64) - expected).abs().max().ToDouble() / Math.Max(1, expected.abs().max().ToDouble());
        Assert.True(Error(output, output64) < 1e-5, $"output off by {Error(output, output64):E2}");
        Assert.True(Error(x.grad!, x64.grad!) < 1e-5, $"input gradient off by {Error(x.grad!, x64.grad!):E2}");
        foreach (var ((name, p), (_, p64)) in lstm.named_parameters().Zip(twin.named_parameters()))
            Assert.True(Error(p.grad!, p64.grad!) < 1e-5, $"{name} gradient off by {Error(p.grad!, p64.grad!):E2}");
    }
}
