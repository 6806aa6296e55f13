using Deepscope.IO;
using Deepscope.Models.Dcf;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace Deepscope.Studies.DcfNet;

/// <summary>
/// A PNG of small kernels side by side: the first row holds a DCF layer's bases, the rows below its rebuilt filters
/// (first input channel of the first outputs). Each kernel is scaled by its own largest magnitude; red is positive,
/// blue negative, white zero.
/// </summary>
public static class FilterMosaic
{
    const int Zoom = 10, Gap = 3, Columns = 16;

    /// <summary>Draws the model's first DCF layer to <paramref name="path"/>; null when the model has none.</summary>
    public static string? FirstDcfLayer(nn.Module model, string path)
    {
        var layer = model.modules().OfType<DcfConv2d>().FirstOrDefault();
        if (layer is null) return null;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var bases = layer.Bases.to_type(ScalarType.Float64);
        var kernel = layer.Kernel().select(1, 0).narrow(0, 0, Math.Min(Columns * 2, layer.Geometry.OutChannels)).to_type(ScalarType.Float64);
        Save(path, Kernels(bases), Kernels(kernel));
        return path;
    }

    static List<double[,]> Kernels(Tensor stack)
    {
        var list = new List<double[,]>();
        for (long i = 0; i < stack.shape[0]; i++)
        {
            int k = (int)stack.shape[1];
            var data = stack[i].contiguous().data<double>().ToArray();
            var kernel = new double[k, k];
            for (int r = 0; r < k; r++) for (int c = 0; c < k; c++) kernel[r, c] = data[r * k + c];
            list.Add(kernel);
        }
        return list;
    }

    /// <summary>Rows of kernels: the first list on its own row(s), then the second.</summary>
    public static void Save(string path, params IReadOnlyList<double[,]>[] groups)
    {
        int k = groups.First(g => g.Count > 0)[0].GetLength(0), cell = k * Zoom + Gap;
        var rows = groups.Select(g => (g.Count + Columns - 1) / Columns).ToArray();
        using var image = new Image<Rgb24>(Columns * cell + Gap, rows.Sum() * cell + Gap, new Rgb24(64, 64, 64));
        int row = 0;
        foreach (var (group, groupRows) in groups.Zip(rows))
        {
            for (int i = 0; i < group.Count; i++)
            {
                var kernel = group[i];
                double scale = Math.Max(kernel.Cast<double>().Max(Math.Abs), 1e-12);
                int x0 = Gap + i % Columns * cell, y0 = Gap + (row + i / Columns) * cell;
                for (int r = 0; r < k; r++)
                    for (int c = 0; c < k; c++)
                    {
                        double v = kernel[r, c] / scale;
                        byte fade = (byte)(255 * (1 - Math.Abs(v)));
                        var color = v >= 0 ? new Rgb24(255, fade, fade) : new Rgb24(fade, fade, 255);
                        for (int dy = 0; dy < Zoom; dy++) for (int dx = 0; dx < Zoom; dx++) image[x0 + c * Zoom + dx, y0 + r * Zoom + dy] = color;
                    }
            }
            row += groupRows;
        }
        AtomicFile.Write(path, stream => image.SaveAsPng(stream));
    }
}
