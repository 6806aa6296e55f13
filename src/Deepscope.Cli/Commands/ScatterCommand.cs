using System.CommandLine;
using System.Diagnostics;
using Deepscope.Cli.Terminal;
using Deepscope.Features;
using Deepscope.IO;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope scatter</c>: the 2D scattering transform of an .npy array of images, streamed in batches.</summary>
static class ScatterCommand
{
    const long ImagesPerBatch = 512;

    public static Command Create()
    {
        var input = new Option<string>("--input") { Description = "Images as .npy, float32 (or float64) of shape (..., H, W)", Required = true };
        var output = new Option<string>("--output") { Description = "Coefficients .npy, float32 of shape (..., K, H/2^J, W/2^J)", Required = true };
        var options = ScatteringOptions.Create();
        var command = new Command("scatter", "2D scattering transform (Kymatio's Scattering2D coefficients) of an .npy array of images")
            { input, output };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(options.Threads));
            var settings = options.Settings(parse);
            Scatter(parse.GetValue(input)!, parse.GetValue(output)!, settings);
            return 0;
        });
        return command;
    }

    static void Scatter(string input, string output, ScatteringSettings settings)
    {
        var (type, shape) = Npy.ReadShape(input);
        if (shape.Length < 2)
            throw new InvalidDataFileException(input, $"expected images of shape (..., H, W), got shape ({string.Join(", ", shape)})");
        if (type is not (ScalarType.Float32 or ScalarType.Float64))
            throw new InvalidDataFileException(input, $"expected float32 images, got {type}");
        using var scattering = new Scattering2D(settings.J, ((int)shape[^2], (int)shape[^1]), settings.L, settings.MaxOrder);
        long[] outputShape = scattering.OutputShape(shape);
        var clock = Stopwatch.StartNew();
        long images = shape[..^2].Aggregate(1L, (a, b) => a * b);
        if (shape.Length == 2)
        {
            using var image = Npy.Read(input);
            RequireFinite(input, image, 0);
            using var coefficients = scattering.forward(image.to_type(ScalarType.Float32));
            Npy.Write(output, coefficients);
        }
        else
        {
            long imagesPerRow = shape[1..^2].Aggregate(1L, (a, b) => a * b);
            long rows = Math.Max(1, ImagesPerBatch / Math.Max(1, imagesPerRow));
            CliProgress.Run(progress =>
            {
                using var task = progress.Start($"scattering {Path.GetFileName(input)}", images, "images");
                using var writer = new NpyStreamWriter(output, ScalarType.Float32, outputShape[1..]);
                using var writes = new BackgroundWriter(); // each batch is written while the next is read and scattered
                long firstRow = 0;
                foreach (var batch in Npy.ReadBatches(input, rows))
                {
                    Tensor coefficients;
                    using (batch)
                    using (NewDisposeScope())
                    {
                        RequireFinite(input, batch, firstRow);
                        using (no_grad()) coefficients = scattering.forward(batch.to_type(ScalarType.Float32)).DetachFromDisposeScope();
                    }
                    long count = coefficients.shape[0];
                    firstRow += count;
                    writes.Post(() =>
                    {
                        using (coefficients) writer.Append(coefficients);
                        task.Advance(count * imagesPerRow);
                    });
                }
                writes.Drain();
                writer.Complete();
            });
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{input} ({string.Join(", ", shape)}) -> {output} ({string.Join(", ", outputShape)}): " +
            $"{images} images in {seconds:F2}s ({images / Math.Max(seconds, 1e-9):F0} images/s), J={settings.J} L={settings.L} max order {settings.MaxOrder}");
    }

    static void RequireFinite(string path, Tensor batch, long firstRow)
    {
        using var scope = NewDisposeScope();
        var bad = batch.isfinite().logical_not().reshape(batch.shape[0], -1).any(1);
        if (bad.any().item<bool>())
            throw new InvalidDataFileException(path, $"contains NaN or infinite values (row {firstRow + bad.nonzero()[0, 0].item<long>()})");
    }
}

/// <summary>The scattering options shared by <c>scatter</c> and <c>features scattering</c>.</summary>
sealed class ScatteringOptions
{
    public Option<int> J { get; } = new("--J", "-J") { Description = "Scale: coefficients are subsampled by 2^J (2^J must not exceed the image sides)", Required = true };
    public Option<int> L { get; } = new("--L", "-L") { Description = "Number of orientations", DefaultValueFactory = _ => 8 };
    public Option<int> MaxOrder { get; } = new("--max-order") { Description = "1 or 2", DefaultValueFactory = _ => 2 };
    public Option<int?> Threads { get; } = new("--threads") { Description = "libtorch threads (default: all cores)" };

    public static ScatteringOptions Create() => new();

    public void AddTo(Command command)
    {
        command.Options.Add(J);
        command.Options.Add(L);
        command.Options.Add(MaxOrder);
        command.Options.Add(Threads);
    }

    public ScatteringSettings Settings(ParseResult parse) => new(parse.GetValue(J), parse.GetValue(L), parse.GetValue(MaxOrder));
}
