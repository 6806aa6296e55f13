using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Robustness;

/// <summary>
/// A classifier that takes images in pixel space [0, 1] and applies its run's normalisation itself (out of place, so
/// gradients reach the pixels): attacks and perturbations are then measured in pixels, as torchattacks does. The model
/// is a registered submodule (eval and train reach it), so disposing the wrapper disposes the model too.
/// </summary>
public sealed class PixelSpaceClassifier : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> model;
    readonly InputTransform transform;

    public PixelSpaceClassifier(nn.Module<Tensor, Tensor> model, InputTransform transform) : base(nameof(PixelSpaceClassifier))
    {
        this.model = model;
        this.transform = transform;
        RegisterComponents();
    }

    public override Tensor forward(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        Tensor input;
        if (transform.PerImage)
        {
            long values = pixels.shape[1] * pixels.shape[2] * pixels.shape[3];
            var (std, mean) = std_mean(pixels, [1, 2, 3], unbiased: false, keepdim: true);
            input = (pixels - mean) / std.clamp_min(1 / Math.Sqrt(values));
        }
        else
        {
            var mean = tensor(transform.Mean).view(1, -1, 1, 1);
            var std = tensor(transform.Std).view(1, -1, 1, 1);
            input = (pixels - mean) / std;
        }
        return model.forward(input).MoveToOuterDisposeScope();
    }
}
