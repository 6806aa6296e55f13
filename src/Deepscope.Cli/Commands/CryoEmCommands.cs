using System.CommandLine;
using System.Diagnostics;
using Deepscope.Cli.Terminal;
using Deepscope.CryoEm;
using Deepscope.Runtime;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope cryoem project</c>: clean particle images simulated from a 3D map.</summary>
static class CryoEmCommands
{
    public static Command Create() => new("cryoem", "Cryo-EM data: particle simulation from 3D maps") { Project() };

    static Command Project()
    {
        var map = new Option<string>("--map") { Description = "3D map (.mrc, MRC2014)", Required = true };
        var output = new Option<string>("--output") { Description = "image stack to write (.mrcs); the poses go to the .star beside it", Required = true };
        var seed = CommonOptions.Seed("orientations, shifts and defocus");
        var threads = CommonOptions.Threads();
        var command = new Command("project", "Projections of a map at uniformly random orientations (Fourier-slice projector), optional CTF and shifts, streamed to an .mrcs stack")
            { map, output, seed, threads };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            TorchRuntime.Configure(parse.GetValue(threads));
            var options = Catalogs.OptionsBinder.Bind(new ParticleSimulationOptions(), GenerateCommand.Parameters(parse.UnmatchedTokens), "cryoem project");
            var clock = Stopwatch.StartNew();
            var (stack, star) = CliProgress.Run(p => ParticleSimulator.Run(parse.GetValue(map)!, parse.GetValue(output)!, parse.GetValue(seed), options, p));
            double seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"{stack}: {options.Count} projections {options.Size}x{options.Size}{(options.Ctf ? " with CTF" : "")} in {seconds:F1}s " +
                $"({options.Count / Math.Max(seconds, 1e-9):F0}/s); poses in {star}");
            return 0;
        });
        return command;
    }
}
