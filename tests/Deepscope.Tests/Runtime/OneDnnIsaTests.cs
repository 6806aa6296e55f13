using System.Runtime.CompilerServices;
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
        var convolved = nn.functional.conv2d(x, weight, strides: [stride, stride], padding: [padding, padding]);
        long outSize = (size + 2 * padding - kernel) / stride + 1;
        var columns = nn.functional.unfold(x, kernel, padding: padding, stride: stride);   // (N, C*k*k, L)
        var expected = weight.reshape(512, -1).matmul(columns).reshape(16, 512, outSize, outSize);
        double error = (convolved - expected).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.True(error < 1e-5, $"relative error {error:E2} (oneDNN ISA: {TorchRuntime.Versions()["onednn_isa"]})");
    }
}
