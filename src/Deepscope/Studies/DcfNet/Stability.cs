using Deepscope.Models;
using Deepscope.Runtime;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Studies.DcfNet;

/// <summary>How much a trained network's representation and accuracy move when its input is slightly deformed or rotated.</summary>
public sealed record StabilityResult(string Transformation, double RelativeRepresentationChange, double Accuracy, double TransformedAccuracy);

/// <summary>
/// The stability DCFNet claims (Qiu et al. 2018, Theorem 3.8 and Section 4.3): for a small deformation D of the input,
/// ||f(D x) - f(x)|| / ||f(x)|| of the representation f (the input of the classifier's last layer), and the accuracy on
/// D x beside the accuracy on x. Two transformations: a smooth random displacement field (max <c>pixels</c>; sinusoids
/// of one period across the image with seeded phases) and a rotation about the centre, both by bilinear resampling.
/// </summary>
public static class Stability
{
    public static IReadOnlyList<StabilityResult> Measure(nn.Module<Tensor, Tensor> model, Examples test, InputTransform transform, int count,
        double pixels, double degrees, long seed)
    {
        var features = model as IClassifierWithHead
            ?? throw new DeepscopeException($"{model.GetType().Name} does not expose its representation (IClassifierWithHead)");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        bool wasTraining = model.training;
        model.eval();
        try
        {
            long n = Math.Min(count, test.Count);
            var unit = transform.ToUnitFloat(test.Inputs.narrow(0, 0, n));
            var labels = test.Labels.narrow(0, 0, n);
            var (f0, accuracy) = Represent(model, features, transform, unit, labels);
            var results = new List<StabilityResult>();
            foreach (var (name, grid) in new[] { ($"deformation {pixels:G3} px", DeformationGrid(unit.shape, pixels, seed)), ($"rotation {degrees:G3} deg", RotationGrid(unit.shape, degrees)) })
            {
                var warped = nn.functional.grid_sample(unit, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
                var (f1, transformedAccuracy) = Represent(model, features, transform, warped, labels);
                double change = ((f1 - f0).norm(1) / f0.norm(1).clamp_min(1e-12)).mean().item<float>();
                results.Add(new StabilityResult(name, change, accuracy, transformedAccuracy));
            }
            return results;
        }
        finally { model.train(wasTraining); }
    }

    static (Tensor Features, double Accuracy) Represent(nn.Module<Tensor, Tensor> model, IClassifierWithHead head, InputTransform transform, Tensor unit, Tensor labels)
    {
        var parts = new List<Tensor>();
        long correct = 0;
        for (long start = 0; start < unit.shape[0]; start += 256)
        {
            long m = Math.Min(256, unit.shape[0] - start);
            var input = MemoryFormat.ChannelsLast(transform.Normalize(unit.narrow(0, start, m).clone()));
            var f = head.Features(input);
            parts.Add(f);
            using var logits = model.forward(input);
            correct += logits.argmax(1).eq(labels.narrow(0, start, m)).sum().item<long>();
        }
        return (cat(parts, 0), correct / (double)unit.shape[0]);
    }

    /// <summary>A sampling grid (N, H, W, 2) in [-1, 1] coordinates displaced by a smooth field of at most <paramref name="pixels"/>.</summary>
    static Tensor DeformationGrid(long[] shape, double pixels, long seed)
    {
        long n = shape[0], h = shape[2], w = shape[3];
        var generator = new Generator((ulong)seed);
        var identity = IdentityGrid(n, h, w);
        var ys = linspace(0, 2 * Math.PI, h).reshape(1, h, 1);
        var xs = linspace(0, 2 * Math.PI, w).reshape(1, 1, w);
        var phases = rand(new long[] { n, 4, 1, 1 }, generator: generator) * (2 * Math.PI);
        // Each component is the mean of two sinusoids across the image, so |displacement| <= pixels per axis.
        var dx = (sin(xs + phases[.., 0]) + sin(ys + phases[.., 1])) * 0.5 * (pixels * 2 / w);
        var dy = (sin(ys + phases[.., 2]) + sin(xs + phases[.., 3])) * 0.5 * (pixels * 2 / h);
        return identity + stack([dx, dy], -1);
    }

    static Tensor RotationGrid(long[] shape, double degrees)
    {
        double a = degrees * Math.PI / 180;
        var theta = tensor(new float[] { (float)Math.Cos(a), (float)-Math.Sin(a), 0, (float)Math.Sin(a), (float)Math.Cos(a), 0 }).reshape(1, 2, 3).expand(shape[0], 2, 3);
        return nn.functional.affine_grid(theta, shape, align_corners: false);
    }

    static Tensor IdentityGrid(long n, long h, long w)
    {
        var theta = tensor(new float[] { 1, 0, 0, 0, 1, 0 }).reshape(1, 2, 3).expand(n, 2, 3);
        return nn.functional.affine_grid(theta, [n, 1, h, w], align_corners: false);
    }
}
