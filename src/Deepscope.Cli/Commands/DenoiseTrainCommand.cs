using System.CommandLine;
using System.Globalization;
using Deepscope.Catalogs;
using Deepscope.Cli.Terminal;
using Deepscope.Denoising;
using Deepscope.Denoising.Networks;
using Deepscope.Runtime;

namespace Deepscope.Cli.Commands;

/// <summary>
/// <c>deepscope denoise-train</c>: trains DnCNN, Noise2Noise, Noise2Void or the pix2pix GAN on a stack of clean images
/// (noise added at --snr per patch) or, for Noise2Void, on noisy images alone; the run folder then serves
/// <c>deepscope denoise --method METHOD --model RUN</c>.
/// </summary>
static class DenoiseTrainCommand
{
    public static Command Create()
    {
        var clean = new Option<string?>("--clean") { Description = "clean training images (.mrcs/.mrc, .npy, image): noise is added at --snr" };
        var noisy = new Option<string?>("--noisy") { Description = "noisy training images without clean ones (noise2void only)" };
        var output = new Option<string>("--output") { Description = "run folder (resumed when it holds a checkpoint)", Required = true };
        var seed = CommonOptions.Seed("the patches, noise and initial weights");
        var threads = CommonOptions.Threads();
        var command = new Command("denoise-train", "Train a deep denoiser (dncnn, noise2noise, noise2void, pix2pix); options as --name value: " +
            string.Join(", ", OptionsBinder.Describe(new DenoiserTrainingOptions()).Select(p => p.Name))) { clean, noisy, output, seed, threads };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var options = OptionsBinder.Bind(new DenoiserTrainingOptions(), GenerateCommand.Parameters(parse.UnmatchedTokens), "denoise-train");
            var (path, isClean) = (parse.GetValue(clean), parse.GetValue(noisy)) switch
            {
                ({ } c, null) => (c, true),
                (null, { } n) => (n, false),
                _ => throw new DeepscopeException("give the training images as --clean FILE or (noise2void) --noisy FILE"),
            };
            var images = ImageStackReader.Open(path).ReadAll();
            var examples = new PatchExamples(images, isClean, options.Snr, options.Patch, path);
            var trained = CliProgress.Run(p => DenoiserTraining.Train(options, examples, parse.GetValue(output)!, parse.GetValue(seed), p));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{parse.GetValue(output)}: {trained.Method} ({trained.Architecture}) trained on {images.Count} image(s) in {trained.TrainingSeconds:F1}s"));
            return 0;
        });
        return command;
    }
}
