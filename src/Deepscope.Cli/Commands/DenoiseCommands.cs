using System.CommandLine;
using System.Globalization;
using Deepscope.Cli.Terminal;
using Deepscope.Denoising;

namespace Deepscope.Cli.Commands;

/// <summary>
/// <c>deepscope noise</c> (scikit-image's random_noise, or Gaussian noise at a target SNR) and <c>deepscope denoise</c>
/// (any denoiser of the catalog, scored against a clean reference) on .mrc/.mrcs, .npy and image files.
/// </summary>
static class DenoiseCommands
{
    public static IEnumerable<Command> Create() => [Noise(), Denoise()];

    static Command Noise()
    {
        var defaults = new NoiseOptions();
        var input = new Option<string>("--input") { Description = "images: .mrc/.mrcs, .npy (H, W) or (N, H, W), PNG/TIFF", Required = true };
        var output = new Option<string>("--output") { Description = "noisy images, same format and shape as the input", Required = true };
        var mode = new Option<string>("--mode") { Description = "gaussian, localvar, poisson, salt, pepper, s&p, speckle", DefaultValueFactory = _ => defaults.Mode.ToString().ToLowerInvariant() };
        var mean = new Option<double>("--mean") { Description = "noise mean (gaussian, speckle)", DefaultValueFactory = _ => defaults.Mean };
        var variance = new Option<double>("--var") { Description = "noise variance (gaussian, speckle)", DefaultValueFactory = _ => defaults.Var };
        var amount = new Option<double>("--amount") { Description = "fraction of pixels flipped (salt, pepper, s&p)", DefaultValueFactory = _ => defaults.Amount };
        var saltVsPepper = new Option<double>("--salt-vs-pepper") { Description = "fraction of flipped pixels set to salt (s&p)", DefaultValueFactory = _ => defaults.SaltVsPepper };
        var noClip = new Option<bool>("--no-clip") { Description = "do not clip to [0, 1] ([-1, 1] for signed data)" };
        var snr = new Option<double?>("--snr") { Description = "Gaussian noise of variance (signal variance / SNR) per image, never clipped (overrides --mode)" };
        var seed = CommonOptions.Seed("the noise");
        var command = new Command("noise", "Add noise as scikit-image's random_noise (integer images scaled to [0, 1] as img_as_float), or at a target SNR")
            { input, output, mode, mean, variance, amount, saltVsPepper, noClip, snr, seed };
        command.SetAction(parse =>
        {
            var options = new NoiseOptions
            {
                Mode = NoiseOptions.ParseMode(parse.GetValue(mode)!), Mean = parse.GetValue(mean), Var = parse.GetValue(variance),
                Amount = parse.GetValue(amount), SaltVsPepper = parse.GetValue(saltVsPepper), Clip = !parse.GetValue(noClip), Snr = parse.GetValue(snr),
            };
            var count = CliProgress.Run(p => StackProcessing.AddNoise(parse.GetValue(input)!, parse.GetValue(output)!, options, parse.GetValue(seed), progress: p));
            string what = options.Snr is { } s ? $"gaussian at SNR {s.ToString(CultureInfo.InvariantCulture)}" : parse.GetValue(mode)!;
            Console.WriteLine($"{parse.GetValue(output)}: {count} image(s), {what} noise, seed {parse.GetValue(seed)}");
            return 0;
        });
        return command;
    }

    static Command Denoise()
    {
        var method = new Option<string>("--method") { Description = $"denoiser: {string.Join(", ", DenoiserCatalog.Catalog.Names)} ('deepscope list denoisers NAME' shows its parameters, given as --name value)", Required = true };
        var input = new Option<string>("--input") { Description = "noisy images: .mrc/.mrcs, .npy (H, W) or (N, H, W), PNG/TIFF", Required = true };
        var output = new Option<string>("--output") { Description = "denoised images, same format and shape as the input", Required = true };
        var sigma = new Option<double?>("--sigma") { Description = "noise standard deviation in the data's units (25 for 0..255 images); estimated when absent" };
        var reference = new Option<string?>("--reference") { Description = "clean images of the same shape: print MSE, PSNR, SSIM and the FRC" };
        var batch = new Option<int>("--batch") { Description = "images held in memory at once", DefaultValueFactory = _ => StackProcessing.DenoiseBatch };
        var threads = CommonOptions.Threads();
        var command = new Command("denoise", "Denoise images with a classical method (BM3D, K-SVD, Wiener, median, Gaussian) or a network " +
            "(DnCNN: --model sigma=25.mat or a run of denoise-train; pix2pix, noise2noise, noise2void) and score them against a reference")
            { method, input, output, sigma, reference, batch, threads };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            Deepscope.Runtime.TorchRuntime.Configure(parse.GetValue(threads));
            var entry = DenoiserCatalog.Catalog.Get(parse.GetValue(method)!);
            var parameters = GenerateCommand.Parameters(parse.UnmatchedTokens);
            // Thresholds and the published networks assume 0..255 (or 0..1) images: tell the method the data's range unless
            // the user did. The clean reference gives it best: noise widens a noisy float image's range (by 40% at sigma 15).
            if (entry.Parameters.Any(p => p.Name == "data_range") && !parameters.ContainsKey("data_range"))
            {
                var source = parse.GetValue(reference) ?? parse.GetValue(input)!;
                double range = StackProcessing.DataRange(source);
                parameters["data_range"] = range.ToString("R", CultureInfo.InvariantCulture);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"data range {range:G6} (from {source}; --data_range overrides)"));
            }
            using var denoiser = new OwnedDenoiser(entry.Create(parameters));
            var summary = CliProgress.Run(p => StackProcessing.Denoise(parse.GetValue(input)!, parse.GetValue(output)!, denoiser.Value, parse.GetValue(sigma),
                parse.GetValue(reference), parse.GetValue(batch), p));
            Console.WriteLine($"{parse.GetValue(output)}: {summary.Images} image(s) {summary.Height}x{summary.Width} by {entry.Name} in {summary.Seconds:F2}s " +
                $"({summary.Seconds / summary.Images:F3}s per image)");
            if (summary.Scores is { } s)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mse {s.Mse:G6}  psnr {s.Psnr:F2} dB  ssim {s.Ssim:F4}  (data range {s.DataRange:G6}, means over images)"));
                int half = ImageQuality.FrcHalfRing(s.Frc);
                Console.WriteLine(half < 0 ? "frc: >= 0.5 at every ring" : string.Create(CultureInfo.InvariantCulture,
                    $"frc: falls below 0.5 at ring {half} of {s.Frc.Length} ({(double)half / Math.Min(summary.Height, summary.Width):F3} cycles/pixel)"));
            }
            return 0;
        });
        return command;
    }
}
