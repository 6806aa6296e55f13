using Deepscope.Segmentation;
using Deepscope.Tests.Support;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Tests.Segmentation;

/// <summary>Overlap-tile prediction equals whole-image prediction in evaluation mode, for any encoder.</summary>
public sealed class TiledPredictionTests
{
    /// <summary>A small encoder with every kind of layer the real ones have (strided convolution, max-pool, batch norm), strides 1-8.</summary>
    sealed class TinyEncoder : SegmentationEncoder
    {
        readonly Sequential level0, level1, level2, level3;

        public TinyEncoder() : base(nameof(TinyEncoder))
        {
            level0 = ConvBnRelu(1, 8);
            level1 = Sequential(MaxPool2d(3, 2, 1), ConvBnRelu(8, 8));
            level2 = ConvBnRelu(8, 16, 2);
            level3 = Sequential(MaxPool2d(2, 2), ConvBnRelu(16, 16), ConvBnRelu(16, 16));
            RegisterComponents();
        }

        public override long[] Channels => [8, 8, 16, 16];
        public override int[] Strides => [1, 2, 4, 8];
        public override int Radius => new ReceptiveField().Layer(3).Layer(3, 2).Layer(3).Layer(3, 2).Layer(2, 2).Layer(3, repeat: 2).Radius;

        public override Tensor[] Features(Tensor input)
        {
            var f0 = level0.forward(input);
            var f1 = level1.forward(f0);
            var f2 = level2.forward(f1);
            return [f0, f1, f2, level3.forward(f2)];
        }
    }

    /// <summary>A trained-looking model: batch-norm statistics that are not the identity, so evaluation mode matters.</summary>
    static EncoderDecoder Model(SegmentationEncoder encoder)
    {
        manual_seed(7);
        var model = new EncoderDecoder(encoder, 6);
        using (no_grad())
            foreach (var bn in model.modules().OfType<BatchNorm2d>())
            {
                bn.running_mean!.uniform_(-0.2, 0.2);
                bn.running_var!.uniform_(0.5, 2);
            }
        // Routed as SegmenterRecord.Load routes every model it predicts with (plain 1-channel convolutions give NaN at AVX-512).
        Deepscope.Models.RoutedConv2d.RouteConvolutions(model);
        model.eval();
        return model;
    }

    static double MaxDifference(EncoderDecoder model, int height, int width, int tile)
    {
        manual_seed(3);
        using var image = rand(1, 1, height, width);
        using var _ = no_grad();
        using var whole = model.forward(image);
        using var tiled = new TiledPredictor(model, tile).Logits(image);
        using var difference = (whole - tiled).abs().max();
        return difference.item<float>();
    }

    [Fact]
    public void Tiled_logits_equal_the_whole_image_on_2048x1024()
    {
        using var model = Model(new TinyEncoder());
        var predictor = new TiledPredictor(model, 256);
        // The margin is the smallest multiple of the stride covering the receptive-field radius.
        Assert.Equal(8 * (int)Math.Ceiling(model.Radius / 8.0), predictor.Margin);
        // 1019 rows: the last band of tiles is short and not a multiple of the stride, as real scans are.
        Assert.InRange(MaxDifference(model, 1019, 2048, 256), 0, 1e-4);
    }

    [Fact]
    public void A_margin_below_the_receptive_field_radius_is_refused()
    {
        using var model = Model(new TinyEncoder());
        var error = Assert.Throws<DeepscopeException>(() => new TiledPredictor(model, 256, margin: 8));
        Assert.Contains("receptive-field radius", error.Message);
    }

    [Theory]
    [Trait(Category.Name, Category.Long)]
    [InlineData("scattering")]
    [InlineData("resnet18")]
    [InlineData("vgg16")]
    [InlineData("dcf-resnet18")]
    [InlineData("dcf-vgg16")]
    public void Every_catalog_encoder_tiles_exactly(string encoder)
    {
        using var model = Model(SegmentationEncoders.Catalog.Create(encoder));
        Assert.InRange(MaxDifference(model, 600, 720, 128), 0, 1e-4);
    }
}

/// <summary>ImageNet weights in torchvision's layout load into the encoders, the RGB stem folded to grey.</summary>
public sealed class ImageNetWeightTests
{
    /// <summary>torchvision's vgg16.features up to conv4_3, the keys a torchvision checkpoint has (features.0 ... features.21).</summary>
    sealed class VggFeatures : Module<Tensor, Tensor>
    {
        readonly Sequential features;

        public VggFeatures() : base("vgg16")
        {
            var layers = new List<Module<Tensor, Tensor>>();
            long channels = 3;
            foreach (var width in new long[] { 64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512 })
            {
                if (width == 0) layers.Add(MaxPool2d(2, 2));
                else
                {
                    layers.Add(Conv2d(channels, width, 3, padding: 1));
                    layers.Add(ReLU());
                    channels = width;
                }
            }
            features = Sequential(layers);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => features.forward(input);
    }

    [Fact]
    public void Torchvision_resnet18_and_vgg16_weights_load_by_name_and_order_with_the_stem_summed_to_grey()
    {
        using var dir = new TempDir();
        manual_seed(2);
        using (var resnet = TorchSharp.torchvision.models.resnet18(10)) resnet.save_safetensors(dir.File("resnet18.safetensors"));
        using (var vgg = new VggFeatures()) vgg.save_safetensors(dir.File("vgg16.safetensors"));
        var resnetState = Deepscope.Models.Pretrained.StateDictFile.Read(dir.File("resnet18.safetensors"));
        var vggState = Deepscope.Models.Pretrained.StateDictFile.Read(dir.File("vgg16.safetensors"));

        using var resnetEncoder = new ResNet18Encoder(1);
        resnetEncoder.LoadImageNet(dir.File("resnet18.safetensors"));
        var loaded = resnetEncoder.state_dict();
        Assert.True(loaded["conv1.weight"].allclose(resnetState["conv1.weight"].sum(1, keepdim: true)));
        Assert.True(loaded["layer3.1.conv2.weight"].equal(resnetState["layer3.1.conv2.weight"]).all().item<bool>());
        Assert.True(loaded["layer2.0.downsample.1.running_var"].equal(resnetState["layer2.0.downsample.1.running_var"]).all().item<bool>());

        using var vggEncoder = new Vgg16Encoder(1);
        vggEncoder.LoadImageNet(dir.File("vgg16.safetensors"));
        var vggLoaded = vggEncoder.state_dict();
        Assert.True(vggLoaded["block1.0.weight"].allclose(vggState["features.0.weight"].sum(1, keepdim: true)));
        Assert.True(vggLoaded["block2.1.weight"].equal(vggState["features.5.weight"]).all().item<bool>());   // after the first pool
        Assert.True(vggLoaded["block4.5.bias"].equal(vggState["features.21.bias"]).all().item<bool>());      // conv4_3

        using var scattering = new ScatteringEncoder(1);
        Assert.Throws<DeepscopeException>(() => scattering.LoadImageNet(dir.File("vgg16.safetensors")));
    }
}
