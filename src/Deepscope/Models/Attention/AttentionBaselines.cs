using static TorchSharp.torch;

namespace Deepscope.Models.Attention;

/// <summary>
/// The non-attentive baselines of Mnih et al. 2014, which see the whole image: a fully connected network of two
/// hidden ReLU layers, and a convolutional network of one layer of eight 10x10 filters at stride 5 followed by a
/// fully connected ReLU layer of 256 units ("convolutional, 2 layers").
/// </summary>
public static class AttentionBaselines
{
    public static nn.Module<Tensor, Tensor> FullyConnected(long channels, long imageSize, long hidden, long numClasses) =>
        ModelZoo.mlp(channels * imageSize * imageSize, [hidden, hidden], numClasses);

    public static nn.Module<Tensor, Tensor> Convolutional(long channels, long imageSize, long numClasses)
    {
        const int filters = 8, kernel = 10, stride = 5;
        if (imageSize < kernel) throw new DeepscopeException($"the convolutional baseline needs images of at least {kernel}x{kernel}, got {imageSize}");
        long side = (imageSize - kernel) / stride + 1;
        return nn.Sequential(
            ("conv", nn.Conv2d(channels, filters, kernel, stride: stride)), ("relu1", nn.ReLU()), ("flatten", nn.Flatten()),
            ("fc", nn.Linear(filters * side * side, 256)), ("relu2", nn.ReLU()), ("head", nn.Linear(256, numClasses)));
    }
}
