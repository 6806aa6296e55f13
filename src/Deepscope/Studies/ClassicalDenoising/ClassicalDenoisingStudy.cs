using System.Diagnostics;
using System.Globalization;
using Deepscope.Data;
using Deepscope.Denoising;
using Deepscope.Denoising.Networks;
using Deepscope.Numerics;
using Deepscope.Reports;

namespace Deepscope.Studies.ClassicalDenoising;

/// <summary>One denoised test image: its scores on 8-bit values and the time the denoiser took.</summary>
public sealed record DenoisedImage(string Set, string Image, double Sigma, string Method, double NoisyPsnr, double Psnr, double Ssim, double Seconds);

/// <summary>
/// Classical denoisers on grey test sets at given noise levels: one stage per (set, image, sigma, method), so the study
/// resumes and shards by image; the report gives each set's mean PSNR/SSIM per method and sigma, with BM3D's
/// published BSD68 means beside them.
/// </summary>
public sealed class ClassicalDenoisingStudy(ClassicalDenoisingOptions options) : IStudy
{
    /// <summary>BM3D's mean PSNR on BSD68 as the DnCNN paper (Zhang et al. 2017, Table II) reports it.</summary>
    static readonly Dictionary<double, double> PublishedBm3dBsd68 = new() { [15] = 31.07, [25] = 28.57, [50] = 25.62 };

    /// <summary>DnCNN-S's mean PSNR on BSD68 (Zhang et al. 2017, Table II; cszn/DnCNN's README).</summary>
    static readonly Dictionary<double, double> PublishedDnCnnBsd68 = new() { [15] = 31.73, [25] = 29.23, [50] = 26.23 };

    sealed record Cell(string Set, string SetName, string Image, double Sigma, string Method, int ImageIndex);

    List<Cell> Cells(StudyContext context)
    {
        var cells = new List<Cell>();
        foreach (var set in options.Sets)
        {
            var folder = context.ResolvePath(set);
            if (!Directory.Exists(folder)) throw new DeepscopeException($"test set folder {folder} not found");
            var images = Directory.GetFiles(folder).Where(ImageFile.IsImage).Order(StringComparer.Ordinal).ToList();
            if (options.Images > 0) images = images.Take(options.Images).ToList();
            // Sigma outermost: a stopped run has whole noise levels done, in the order given.
            foreach (var sigma in options.Sigmas)
                for (int i = 0; i < images.Count; i++)
                    foreach (var method in options.Methods)
                        cells.Add(new Cell(folder, Path.GetFileName(folder), images[i], sigma, method, i));
        }
        return cells;
    }

    static StageKey Key(Cell cell, StudyContext context, bool knownSigma) =>
        new("denoised-image", new { set = cell.SetName, image = Path.GetFileName(cell.Image), cell.Sigma, cell.Method, knownSigma, context.Seed });

    public void Run(StudyContext context)
    {
        var cells = context.MyCells(Cells(context)).ToList();
        foreach (var method in options.Methods.Distinct()) DenoiserCatalog.Catalog.Get(method);
        using var progress = context.Progress.Start("denoised images", cells.Count);
        foreach (var cell in cells)
        {
            context.Stage(Key(cell, context, options.KnownSigma), $"{cell.Method} on {cell.SetName}/{Path.GetFileName(cell.Image)} at sigma {cell.Sigma}",
                () => Denoise(cell, context));
            progress.Advance(1);
        }
    }

    DenoisedImage Denoise(Cell cell, StudyContext context)
    {
        var clean = ReadGrey(cell.Image);
        var noisy = WithGaussianNoise(clean, cell.Sigma, context.Seed, cell.ImageIndex);
        // The published DnCNN-S models are one per noise level: sigma=15.mat, sigma=25.mat, ...
        using var owned = new OwnedDenoiser(cell.Method == DenoiserMethods.DnCnn
            ? DenoiserCatalog.Catalog.Create(cell.Method, new Dictionary<string, string> { ["model"] = Path.Combine(context.ResolvePath(options.DncnnModels), $"sigma={cell.Sigma.ToString(CultureInfo.InvariantCulture)}.mat") })
            : DenoiserCatalog.Catalog.Create(cell.Method));
        var clock = Stopwatch.StartNew();
        var denoised = ImageQuality.Quantised(owned.Value.Denoise(noisy, options.KnownSigma ? cell.Sigma : null));
        double seconds = clock.Elapsed.TotalSeconds;
        return new DenoisedImage(cell.SetName, Path.GetFileName(cell.Image), cell.Sigma, cell.Method,
            ImageQuality.Psnr(clean, ImageQuality.Quantised(noisy), 255), ImageQuality.Psnr(clean, denoised, 255),
            ImageQuality.Ssim(clean, denoised, 255), seconds);
    }

    /// <summary>
    /// The protocol's noisy image: Gaussian noise of standard deviation <paramref name="sigma"/> added, not clipped nor
    /// quantised, drawn from its own stream (seed, image index, sigma), as MATLAB's demo re-seeds per image.
    /// </summary>
    public static Plane WithGaussianNoise(Plane clean, double sigma, long seed, int imageIndex)
    {
        var noisy = clean.Copy();
        var random = new RandomStream((ulong)seed, (ulong)imageIndex, BitConverter.DoubleToUInt64Bits(sigma));
        for (int i = 0; i < noisy.Pixels.Length; i++) noisy.Pixels[i] += (float)(sigma * random.NextNormal());
        return noisy;
    }

    /// <summary>An 8-bit grey image on the 0..255 scale.</summary>
    public static Plane ReadGrey(string path)
    {
        var image = ImageFile.Read(path);
        if (image.Channels != 1) throw new DeepscopeException($"{path}: expected a grey image, got {image.Channels} channels");
        var pixels = new float[image.Height * image.Width];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = MathF.Round(image.Pixels[i] * 255f);
        return new Plane(image.Height, image.Width, pixels);
    }

    public StudyReport Report(StudyContext context)
    {
        var results = Cells(context).Select(c => context.Lookup<DenoisedImage>(Key(c, context, options.KnownSigma))?.Value).OfType<DenoisedImage>().ToList();
        var blocks = new List<ReportBlock>
        {
            new Paragraphs([
                "Gaussian noise of standard deviation sigma (0..255 scale) added without clipping or quantisation; each output rounded " +
                "and saturated to 8 bits; PSNR = 10 log10(255^2 / MSE) and SSIM (scikit-image's defaults, data range 255) on those values, " +
                "averaged over the images (the DnCNN protocol)." + (options.KnownSigma ? " The denoisers are given the true sigma." : " Sigma is estimated.")]),
        };
        var rows = new List<IReadOnlyList<string>>();
        foreach (var group in results.GroupBy(r => (r.Set, r.Sigma, r.Method)))
        {
            var list = group.ToList();
            var publishedTable = group.Key.Method switch { "bm3d" => PublishedBm3dBsd68, DenoiserMethods.DnCnn => PublishedDnCnnBsd68, _ => null };
            string published = publishedTable != null && group.Key.Set == "BSD68" && publishedTable.TryGetValue(group.Key.Sigma, out var p) ? F(p) : "";
            rows.Add([group.Key.Set, F(group.Key.Sigma, "0.#"), group.Key.Method, list.Count.ToString(CultureInfo.InvariantCulture),
                F(list.Average(r => r.NoisyPsnr)), F(list.Average(r => r.Psnr)), published, list.Average(r => r.Ssim).ToString("F4", CultureInfo.InvariantCulture),
                F(list.Average(r => r.Seconds), "0.00")]);
        }
        blocks.Add(new Heading("Mean PSNR and SSIM"));
        blocks.Add(new Table(["set", "sigma", "method", "images", "noisy PSNR", "PSNR (dB)", "published", "SSIM", "s / image"], rows,
            "Published: BM3D and DnCNN-S on BSD68 as reported by Zhang et al. 2017 (DnCNN), Table II.", new HashSet<int> { 1, 3, 4, 5, 6, 7, 8 }));
        foreach (var set in results.GroupBy(r => r.Set))
        {
            blocks.Add(new Heading($"{set.Key}: PSNR per image", 3));
            var methods = set.Select(r => (r.Sigma, r.Method)).Distinct().ToList();
            var perImage = set.GroupBy(r => r.Image).Select(image => (IReadOnlyList<string>)[image.Key,
                ..methods.Select(m => image.FirstOrDefault(r => r.Sigma == m.Sigma && r.Method == m.Method) is { } r ? F(r.Psnr) : "")]).ToList();
            blocks.Add(new Table(["image", ..methods.Select(m => $"{m.Method} sigma {m.Sigma}")], perImage, RightAligned: Enumerable.Range(1, methods.Count).ToHashSet()));
        }
        return new StudyReport(new ReportDocument("Classical denoising: Set12 / BSD68", blocks), results);
    }

    static string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);
}
