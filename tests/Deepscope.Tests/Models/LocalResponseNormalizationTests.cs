using Deepscope.Models;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Tests.Models;

public sealed class LocalResponseNormalizationTests
{
    /// <summary>Values and input gradients equal libtorch's LocalResponseNorm in float64, for odd and even windows
    /// (PyTorch's window is asymmetric for even sizes), in both memory layouts.</summary>
    [Theory]
    [InlineData(9, false)]
    [InlineData(9, true)]
    [InlineData(4, true)]
    [InlineData(5, false)]
    public void Equals_libtorch_local_response_norm(long size, bool channelsLast)
    {
        using var generator = new Generator(3);
        using var data = randn([4, 12, 5, 6], dtype: ScalarType.Float64, generator: generator) * 3;
        using var upstream = randn([4, 12, 5, 6], dtype: ScalarType.Float64, generator: generator);
        var layout = channelsLast ? MemoryFormat.ChannelsLast(data) : data;
        using var ours = new LocalResponseNormalization(size, alpha: 0.01, beta: 0.75, k: 2);
        using var theirs = nn.LocalResponseNorm(size, alpha: 0.01, beta: 0.75, k: 2);

        var (ourValues, ourGradient) = ValueAndGradient(ours, layout, upstream);
        var (theirValues, theirGradient) = ValueAndGradient(theirs, layout, upstream);

        Assert.True(ourValues.allclose(theirValues, rtol: 0, atol: 1e-12), $"largest value difference {(ourValues - theirValues).abs().max().item<double>()}");
        Assert.True(ourGradient.allclose(theirGradient, rtol: 0, atol: 1e-12), $"largest gradient difference {(ourGradient - theirGradient).abs().max().item<double>()}");
    }

    static (Tensor Values, Tensor Gradient) ValueAndGradient(nn.Module<Tensor, Tensor> norm, Tensor input, Tensor upstream)
    {
        var x = input.detach().clone().requires_grad_();
        var y = norm.forward(x);
        y.backward([upstream]);
        return (y.detach().contiguous(), x.grad!.contiguous());
    }
}
