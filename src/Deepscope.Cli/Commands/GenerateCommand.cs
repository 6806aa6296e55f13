using System.CommandLine;
using Deepscope.Cli.Terminal;
using Deepscope.Data.Generators;

namespace Deepscope.Cli.Commands;

/// <summary>
/// <c>deepscope data generate NAME --output DIR [--seed S] [--force] [--PARAM VALUE ...]</c>: any generator of the
/// catalog, its parameters given as options in kebab case (<c>--count 5000</c>, <c>--salt-vs-pepper 0.5</c>).
/// </summary>
static class GenerateCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = $"generator ({string.Join(", ", GeneratorCatalog.Catalog.Names)}; 'deepscope list generators NAME' shows its parameters)" };
        var output = new Option<string>("--output", "-o") { Description = "folder to write (appears whole at the end)", Required = true };
        var seed = CommonOptions.Seed("the generator");
        var force = new Option<bool>("--force") { Description = "replace a non-empty output folder" };
        var command = new Command("generate", "Write a seeded synthetic data set (stand-in for a private one) to a folder") { name, output, seed, force };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            var entry = GeneratorCatalog.Catalog.Get(parse.GetValue(name)!);
            var generator = entry.Create(Parameters(parse.UnmatchedTokens));
            var summary = CliProgress.Run(p => DatasetGeneration.Generate(generator, parse.GetValue(output)!, parse.GetValue(seed), parse.GetValue(force), p));
            Console.WriteLine(summary);
            return 0;
        });
        return command;
    }

    /// <summary><c>--name value</c>, <c>--name=value</c> and a bare <c>--flag</c> (true) as parameter text.</summary>
    internal static Dictionary<string, string> Parameters(IReadOnlyList<string> tokens)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
                throw new DeepscopeException($"unexpected argument '{token}' (generator parameters are given as --name value)");
            var text = token[2..];
            var equals = text.IndexOf('=');
            if (equals > 0) values[text[..equals]] = text[(equals + 1)..];
            else if (i + 1 < tokens.Count && !tokens[i + 1].StartsWith("--", StringComparison.Ordinal)) values[text] = tokens[++i];
            else values[text] = "true";
        }
        return values;
    }
}
