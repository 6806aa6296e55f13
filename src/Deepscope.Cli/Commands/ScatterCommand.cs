using System.CommandLine;
using Deepscope.Cli.Terminal;
using Deepscope.Features;
using Deepscope.Runtime;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope scatter</c>: the 2D scattering transform of an .npy array of images, streamed in batches.</summary>
static class ScatterCommand
{
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
        var r = CliProgress.Run(progress => NpyScattering.Scatter(input, output, settings, progress));
        Console.WriteLine($"{input} ({string.Join(", ", r.InputShape)}) -> {output} ({string.Join(", ", r.OutputShape)}): " +
            $"{r.Images} images in {r.Seconds:F2}s ({r.Images / Math.Max(r.Seconds, 1e-9):F0} images/s), J={settings.J} L={settings.L} max order {settings.MaxOrder}");
    }
}

/// <summary>The scattering options shared by <c>scatter</c> and <c>features scattering</c>.</summary>
sealed class ScatteringOptions
{
    public Option<int> J { get; } = new("--J", "-J") { Description = "Scale: coefficients are subsampled by 2^J (2^J must not exceed the image sides)", Required = true };
    public Option<int> L { get; } = new("--L", "-L") { Description = "Number of orientations", DefaultValueFactory = _ => 8 };
    public Option<int> MaxOrder { get; } = new("--max-order") { Description = "1 or 2", DefaultValueFactory = _ => 2 };
    public Option<int?> Threads { get; } = CommonOptions.Threads();

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
