using static TorchSharp.torch;

namespace Deepscope.Denoising.Networks;

/// <summary>
/// The pix2pix generator (Isola et al. 2017) as cianfrocco-lab's cryo-EM GAN denoiser uses it: a U-Net of
/// <paramref name="levels"/> 4x4 stride-2 convolutions down (LeakyReLU 0.2, batch norm after the first) and as many
/// 4x4 stride-2 transposed convolutions up (ReLU, batch norm), each decoder level's output <b>added</b> to the encoder
/// feature of the same size (additive skips, not concatenation). Sides must be multiples of 2^levels
/// (<see cref="NetworkDenoiser"/> pads images to that).
/// </summary>
public sealed class UNetGenerator : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.ModuleList<nn.Module<Tensor, Tensor>> down = new(), up = new();

    public UNetGenerator(int levels = 5, int width = 64, int channels = 1) : base(nameof(UNetGenerator))
    {
        if (levels < 1) throw new DeepscopeException($"the U-Net needs at least 1 level, got {levels}");
        Levels = levels;
        var widths = Enumerable.Range(0, levels).Select(i => width * (1 << Math.Min(i, 3))).ToArray();
        for (int i = 0; i < levels; i++)
        {
            int input = i == 0 ? channels : widths[i - 1];
            down.Add(i == 0
                ? nn.Sequential(nn.Conv2d(input, widths[i], 4, stride: 2, padding: 1))
                : nn.Sequential(nn.LeakyReLU(0.2), nn.Conv2d(input, widths[i], 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(widths[i])));
        }
        for (int i = levels - 1; i >= 0; i--)
        {
            int output = i == 0 ? channels : widths[i - 1];
            up.Add(i == 0
                ? nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(widths[i], output, 4, stride: 2, padding: 1))
                : nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(widths[i], output, 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(output)));
        }
        RegisterComponents();
    }

    public int Levels { get; }

    public override Tensor forward(Tensor input)
    {
        var features = new List<Tensor>();
        var x = input;
        foreach (var layer in down)
        {
            x = layer.forward(x);
            features.Add(x);
        }
        for (int i = 0; i < up.Count; i++)
        {
            x = up[i].forward(x);
            int skip = Levels - 2 - i;
            if (skip >= 0) x = x + features[skip];
        }
        return x;
    }
}

/// <summary>
/// The pix2pix PatchGAN discriminator (70x70 receptive field with 3 stride-2 layers): 4x4 convolutions of 64, 128,
/// 256 channels with stride 2, then 512 and 1 with stride 1, LeakyReLU 0.2 and batch norm (not on the first); one
/// logit per patch. Its input is the noisy image and a candidate clean one, concatenated on the channel axis.
/// </summary>
public sealed class PatchDiscriminator : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> layers;
    readonly nn.Module<Tensor, Tensor> last;

    public PatchDiscriminator(int channels = 2, int width = 64, int stridedLayers = 3) : base(nameof(PatchDiscriminator))
    {
        var modules = new List<nn.Module<Tensor, Tensor>> { nn.Conv2d(channels, width, 4, stride: 2, padding: 1), nn.LeakyReLU(0.2) };
        int current = width;
        for (int i = 1; i <= stridedLayers; i++)
        {
            int next = width * (1 << Math.Min(i, 3));
            modules.Add(nn.Conv2d(current, next, 4, stride: i < stridedLayers ? 2 : 1, padding: 1, bias: false));
            modules.Add(nn.BatchNorm2d(next));
            modules.Add(nn.LeakyReLU(0.2));
            current = next;
        }
        layers = nn.Sequential(modules);
        last = nn.Conv2d(current, 1, 4, stride: 1, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor pair) => last.forward(SmallOutputConvolution.Guard(layers.forward(pair)));
}
