using System.CommandLine;
using System.Globalization;
using Deepscope.IO;
using Deepscope.Models.Dcf;
using static TorchSharp.torch;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope dcf bases</c>: DCFNet's Fourier-Bessel bases as an .npy array.</summary>
static class DcfCommands
{
    public static Command Create() => new("dcf", "Decomposed convolutional filters (DCFNet): Fourier-Bessel bases") { Bases() };

    static Command Bases()
    {
        var kernel = new Option<int>("--kernel") { Description = "Kernel size: 3 or 5 (any odd size >= 3)", Required = true };
        var count = new Option<string>("--K") { Description = "Bases kept, the first K in order of Bessel zero (1..6 for 3x3, 1..14 for 5x5), or max", DefaultValueFactory = _ => "max" };
        var output = new Option<string>("--output", "-o") { Description = "Bases .npy, float64 (K, k, k), rows and columns as an image's", Required = true };
        var command = new Command("bases", "Write the Fourier-Bessel bases of calculate_FB_bases.m (theta = atan2(row offset, column offset))") { kernel, count, output };
        command.SetAction(parse =>
        {
            var bases = FourierBesselBases.ForKernel(parse.GetValue(kernel));
            int k = bases.CheckCount(DcfNetworks.ParseBasisCount(parse.GetValue(count)!));
            var path = Path.GetFullPath(parse.GetValue(output)!);
            using (var values = bases.ToTensor(k, ScalarType.Float64)) Npy.Write(path, values);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{k} of {bases.Count} Fourier-Bessel bases for {bases.KernelSize}x{bases.KernelSize} (normaliser {bases.Normalizer:F6}) -> {path}"));
            foreach (var m in bases.Modes.Take(k))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  k={m.K} q={m.Q} j_kq={m.Zero:F6}{(m.K == 0 ? "" : m.Sine ? " sin" : " cos")}"));
            return 0;
        });
        return command;
    }
}
