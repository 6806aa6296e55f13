using System.Globalization;
using Deepscope.Denoising;
using Deepscope.Denoising.Networks;
using Deepscope.IO;
using Deepscope.Reports;
using ScottPlot;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Deepscope.Studies.DeepDenoising;

/// <summary>Where the panels' images come from: a stage's denoised stack, and the clean and noisy test particles.</summary>
public sealed record PanelSource(Func<double, string, string> DenoisedStack, Func<int, Plane> Clean, Func<double, int, Plane> Noisy);

/// <summary>The deep-denoising study's report: the table, the PSNR-vs-SNR plot, the panels, and the real particles.</summary>
static class DeepDenoisingReport
{
    public static StudyReport Build(DeepDenoisingOptions options, StudyContext context, IReadOnlyList<ParticleScores> scores,
        IReadOnlyList<DenoiserNetwork> models, IReadOnlyList<HalfSetResult> real, PanelSource panels)
    {
        var figures = Directory.CreateDirectory(Path.Combine(context.RunDirectory, "figures")).FullName;
        var blocks = new List<ReportBlock>
        {
            new Paragraphs([
                $"{options.TrainParticles} training and {options.TestParticles} test particles (from index {Math.Min(options.TestStart, options.TrainParticles)}) of {options.Size}x{options.Size} per map " +
                $"({string.Join(", ", options.Maps.Select(Path.GetFileName))}; Fourier-slice projections at uniformly random orientations, no CTF). " +
                "Gaussian noise of variance (particle variance / SNR); PSNR and SSIM against the clean particle with its max - min as data range; " +
                "FRC resolution: the first ring where the FRC of denoised and clean falls below 0.5, in cycles per pixel (0.5 = never). " +
                "The classical methods are given the true noise sigma. Each deep method is one model trained on " +
                (options.Snrs.Length == 1 ? $"SNR {F(options.Snrs[0], "0.###")} alone " : "all the SNRs (blind) ") +
                $"({options.Epochs} epochs x {options.PatchesPerEpoch} patches of {options.Patch}x{options.Patch}, batch {options.BatchSize}, Adam" +
                (options.LearningRateFloor < 1 ? $" with cosine decay to {F(options.LearningRateFloor, "0.###")} of the rate" : "") + $"; DnCNN {options.Depth} layers x {options.Width} channels; " +
                $"pix2pix U-Net of {options.Levels} levels on {options.GanPatch}x{options.GanPatch} patches). Times: wall seconds on the shared 2-core machine, one libtorch thread."]),
            new Heading("Mean over the test particles"),
        };
        var rows = scores.OrderBy(s => -s.Snr).ThenByDescending(s => s.Psnr.Average()).Select(s => (IReadOnlyList<string>)[
            F(s.Snr, "0.###"), s.Method, F(s.NoisyPsnr.Average()), F(s.Psnr.Average()), F(s.Ssim.Average(), "0.000"),
            F(s.FrcResolution.Average(), "0.000"), F(s.SecondsPerImage, "0.000"),
            models.FirstOrDefault(m => m.Method == s.Method) is { } m ? F(m.TrainingSeconds, "0") : ""]).ToList();
        blocks.Add(new Table(["SNR", "method", "noisy PSNR", "PSNR (dB)", "SSIM", "FRC 0.5 (1/px)", "s / image", "training s"], rows,
            RightAligned: new HashSet<int> { 0, 2, 3, 4, 5, 6, 7 }));
        if (scores.Count > 0)
        {
            var plot = Path.Combine(figures, "psnr-vs-snr.png");
            PsnrAgainstSnr(scores, plot);
            blocks.Add(new Figure(plot, "PSNR against SNR (log scale), mean over the test particles; the noisy input dashed"));
            var panel = Path.Combine(figures, "panels.png");
            var methods = scores.Select(s => s.Method).Distinct().ToList();
            var snrs = scores.Select(s => s.Snr).Distinct().OrderByDescending(s => s).ToList();
            Panels(snrs, methods, panels, panel);
            blocks.Add(new Figure(panel, $"test particle 0, one row per SNR ({string.Join(", ", snrs.Select(s => F(s, "0.###")))}); " +
                $"columns: clean, noisy, {string.Join(", ", methods)}; each tile scaled to the clean particle's range"));
        }
        if (real.Count > 0)
        {
            blocks.Add(new Heading("Real particles (no clean reference)"));
            blocks.Add(new Paragraphs(["Each self-supervised method is trained twice, on the even and on the odd particles; every particle is denoised by both " +
                "models and the FRC between the two outputs measures what the denoising reproduces independently of the training half (cryoCARE's idea)."]));
            blocks.Add(new Table(["method", "particles", "half-set FRC 0.5 (1/px)", "FRC at 1/8", "FRC at 1/4", "training s"],
                [.. real.Select(r => (IReadOnlyList<string>)[r.Method, r.Particles.ToString(CultureInfo.InvariantCulture), F(r.Resolution, "0.000"),
                    F(r.Frc[r.Frc.Length / 4], "0.00"), F(r.Frc[r.Frc.Length / 2], "0.00"), F(r.TrainingSeconds, "0")])], RightAligned: new HashSet<int> { 1, 2, 3, 4, 5 }));
            foreach (var r in real)
            {
                var panel = Path.Combine(figures, $"real-{r.Method}.png");
                RealPanel(Path.Combine(context.RunDirectory, r.Stack), options.Real, context, panel);
                blocks.Add(new Figure(panel, $"real particles: noisy (top) and {r.Method} (bottom, mean of the two half-set models)"));
            }
        }
        return new StudyReport(new ReportDocument("Deep denoisers on cryo-EM particles", blocks), new { scores, models, real });
    }

    static void PsnrAgainstSnr(IReadOnlyList<ParticleScores> scores, string path)
    {
        var plot = new Plot();
        var noisy = scores.GroupBy(s => s.Snr).OrderBy(g => g.Key).ToList();
        var input = plot.Add.Scatter(noisy.Select(g => Math.Log10(g.Key)).ToArray(), noisy.Select(g => g.First().NoisyPsnr.Average()).ToArray());
        input.LegendText = "noisy";
        input.LinePattern = LinePattern.Dashed;
        foreach (var method in scores.GroupBy(s => s.Method))
        {
            var ordered = method.OrderBy(s => s.Snr).ToList();
            var line = plot.Add.Scatter(ordered.Select(s => Math.Log10(s.Snr)).ToArray(), ordered.Select(s => s.Psnr.Average()).ToArray());
            line.LegendText = method.Key;
        }
        plot.XLabel("log10 SNR");
        plot.YLabel("PSNR (dB)");
        plot.ShowLegend(Alignment.UpperLeft);
        EmbeddingPlot.Save(plot, path, 700, 500);
    }

    static void Panels(IReadOnlyList<double> snrs, IReadOnlyList<string> methods, PanelSource source, string path)
    {
        var clean = source.Clean(0);
        var grid = snrs.Select(snr => (IReadOnlyList<Plane>)[clean, source.Noisy(snr, 0),
            .. methods.Select(m => ImageStackReader.Open(source.DenoisedStack(snr, m)).Batches(1).First()[0])]).ToList();
        float low = clean.Pixels.Min(), high = clean.Pixels.Max();
        WriteGrid(grid, path, _ => (low, high));
    }

    static void RealPanel(string denoisedStack, string real, StudyContext context, string path)
    {
        var noisy = ImageStackReader.Open(context.ResolvePath(real)).ReadAll();
        var denoised = ImageStackReader.Open(denoisedStack).ReadAll();
        // Each tile on its own robust range (mean +- 3 std), as particle viewers show them.
        WriteGrid([noisy, denoised], path, p =>
        {
            double mean = p.Pixels.Average(v => (double)v), std = Math.Sqrt(p.Pixels.Average(v => (v - mean) * (v - mean)));
            return ((float)(mean - 3 * std), (float)(mean + 3 * std));
        });
    }

    /// <summary>Rows of equally sized grey tiles with a 2-pixel white gap, each mapped from its range to 0..255.</summary>
    static void WriteGrid(IReadOnlyList<IReadOnlyList<Plane>> rows, string path, Func<Plane, (float Low, float High)> range)
    {
        int h = rows[0][0].Height, w = rows[0][0].Width, gap = 2, columns = rows.Max(r => r.Count);
        int width = columns * (w + gap) - gap, height = rows.Count * (h + gap) - gap;
        using var image = new Image<L8>(width, height, new L8(255));
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < rows[r].Count; c++)
            {
                var plane = rows[r][c];
                var (low, high) = range(plane);
                float scale = high > low ? 255f / (high - low) : 0;
                for (int y = 0; y < Math.Min(h, plane.Height); y++)
                    for (int x = 0; x < Math.Min(w, plane.Width); x++)
                        image[c * (w + gap) + x, r * (h + gap) + y] = new L8((byte)Math.Clamp((plane[y, x] - low) * scale, 0, 255));
            }
        AtomicFile.Write(path, stream => image.SaveAsPng(stream));
    }

    static string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);
}
