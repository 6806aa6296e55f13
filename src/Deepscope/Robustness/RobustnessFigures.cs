using Deepscope.IO;
using ScottPlot;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace Deepscope.Robustness;

/// <summary>The robustness figures: accuracy against a perturbation's size, and adversarial examples beside their perturbations.</summary>
public static class RobustnessFigures
{
    /// <summary>Accuracy (%) against budget, one line per curve.</summary>
    public static void AccuracyCurves(IReadOnlyList<(string Label, double[] X, double[] Accuracy)> curves, string path, string xLabel)
    {
        var plot = new Plot();
        foreach (var (label, x, accuracy) in curves)
        {
            var line = plot.Add.Scatter(x, [.. accuracy.Select(a => 100 * a)]);
            line.LegendText = label;
        }
        plot.XLabel(xLabel);
        plot.YLabel("accuracy (%)");
        plot.Axes.SetLimitsY(0, 101);
        plot.ShowLegend(Alignment.UpperRight);
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(800, 500, ImageFormat.Png));
    }

    /// <summary>
    /// The first <paramref name="count"/> images in three rows: clean, adversarial, and the perturbation (grey is zero,
    /// scaled by the largest perturbation shown so small ones stay visible).
    /// </summary>
    public static void AdversarialExamples(Tensor clean, Tensor adversarial, string path, int count = 8, int zoom = 3)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int n = (int)Math.Min(count, clean.shape[0]);
        var x = RgbLast(clean.narrow(0, 0, n));
        var a = RgbLast(adversarial.narrow(0, 0, n));
        var delta = a - x;
        double scale = Math.Max(delta.abs().max().item<float>(), 1e-12);
        var rows = new[] { x, a, (delta / (2 * scale) + 0.5).clamp(0, 1) };
        int h = (int)x.shape[1], w = (int)x.shape[2], gap = 2;
        using var image = new Image<Rgb24>(n * (w * zoom + gap) - gap, 3 * (h * zoom + gap) - gap, new Rgb24(255, 255, 255));
        for (int r = 0; r < 3; r++)
        {
            var bytes = (rows[r] * 255).round().to_type(ScalarType.Byte).contiguous().data<byte>().ToArray();
            for (int i = 0; i < n; i++)
                for (int py = 0; py < h * zoom; py++)
                    for (int px = 0; px < w * zoom; px++)
                    {
                        int at = ((i * h + py / zoom) * w + px / zoom) * 3;
                        image[i * (w * zoom + gap) + px, r * (h * zoom + gap) + py] = new Rgb24(bytes[at], bytes[at + 1], bytes[at + 2]);
                    }
        }
        AtomicFile.Write(path, s => image.SaveAsPng(s));
    }

    /// <summary>(N, C, H, W) with 1 or 3 channels to (N, H, W, 3).</summary>
    static Tensor RgbLast(Tensor images) => (images.shape[1] == 1 ? images.expand(-1, 3, -1, -1) : images.narrow(1, 0, 3)).permute(0, 2, 3, 1);
}
